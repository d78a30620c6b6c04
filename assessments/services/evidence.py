"""Evidence files: what is accepted, how it is stored, and logging an incident with files.

The type of an upload is decided by its content, never by its name or the
browser's Content-Type. The name is kept as data only (path parts removed); the
stored name is random (see `evidence_path`), and files go through Django's
storage API so the same code works on a disk or on S3.

Accepted: JPEG, PNG, GIF and WebP images, PDF, e-mail exports (.eml, .msg) and
plain UTF-8 text. Everything else is refused with a message, in particular SVG
and HTML (they can carry script), archives (zip bombs) and executables.
"""

from __future__ import annotations

import email.errors
import email.parser
import email.policy
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.models import Business, User
from assessments.models import Client, Evidence, Incident
from assessments.models.incidents import PreviewStatus
from assessments.services.evidence_preview import queue_preview
from assessments.services.incidents import record_incident

MAX_FILES_PER_UPLOAD = 10
SNIFF_BYTES = 64 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Outlook .msg files are OLE2 containers whose streams are named "__substg1.0_...".
MSG_STREAM_MARKER = "__substg1.0_".encode("utf-16-le")

# Sniffed type -> (stored content type, name endings that agree with it, label).
ACCEPTED: dict[str, tuple[str, frozenset[str], Any]] = {
    "jpeg": ("image/jpeg", frozenset({"jpg", "jpeg", "jpe", "jfif"}), _("JPEG image")),
    "png": ("image/png", frozenset({"png"}), _("PNG image")),
    "gif": ("image/gif", frozenset({"gif"}), _("GIF image")),
    "webp": ("image/webp", frozenset({"webp"}), _("WebP image")),
    "pdf": ("application/pdf", frozenset({"pdf"}), _("PDF document")),
    "eml": ("message/rfc822", frozenset({"eml"}), _("e-mail (.eml)")),
    "msg": ("application/vnd.ms-outlook", frozenset({"msg"}), _("Outlook e-mail (.msg)")),
    "text": ("text/plain", frozenset({"txt", "text", "log", "md", "csv"}), _("plain text")),
}

EXECUTABLE_TYPES = frozenset({"exe", "elf", "wasm", "crx", "swf", "deb", "rpm", "nes"})
ARCHIVE_TYPES = frozenset(
    {"zip", "tar", "rar", "gz", "bz2", "7z", "xz", "Z", "lzo", "lz", "lz4", "zst", "br", "cab"}
    | {"ar"}
)
OFFICE_TYPES = frozenset({"doc", "docx", "odt", "xls", "xlsx", "ods", "ppt", "pptx", "odp", "epub"})

# Endings refused outright, whatever the content: they run or render as code.
DANGEROUS_ENDINGS = frozenset(
    {
        "svg",
        "svgz",
        "html",
        "htm",
        "xhtml",
        "shtml",
        "xml",
        "js",
        "mjs",
        "exe",
        "com",
        "bat",
        "cmd",
        "msi",
        "ps1",
        "sh",
        "scr",
        "jar",
        "vbs",
        "apk",
        "dll",
        "so",
        "dmg",
    }
)

ACCEPTED_HELP = _(
    "Photos (JPEG, PNG, GIF, WebP), PDF, e-mails (.eml, .msg) or plain text; at most %(size)s each."
)

# What the file picker offers; the server still checks every file's content.
ACCEPT_ATTRIBUTE = (
    "image/jpeg,image/png,image/gif,image/webp,application/pdf,"
    ".eml,message/rfc822,.msg,.txt,text/plain"
)


@dataclass(frozen=True)
class SniffedFile:
    kind: str
    content_type: str
    original_name: str


def accepted_help() -> str:
    return str(ACCEPTED_HELP) % {"size": filesizeformat(settings.EVIDENCE_MAX_BYTES)}


def clean_original_name(name: str | None) -> str:
    """The uploader's file name without any folder part or control characters.

    `../../etc/passwd` becomes `passwd`; the result is only ever shown, never
    used as a storage path.
    """
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        return "evidence"
    if len(name) > 255:
        stem, dot, ending = name.rpartition(".")
        if dot and 0 < len(ending) <= 10:
            name = stem[: 254 - len(ending)] + "." + ending
        else:
            name = name[:255]
    return name


def _ending(name: str) -> str:
    stem, dot, ending = name.rpartition(".")
    return ending.lower() if dot and stem else ""


def _head(upload: UploadedFile, size: int = SNIFF_BYTES) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _whole(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    # Text may have tabs and line breaks, but not other control characters.
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v" for ch in text)


def _looks_like_markup(data: bytes) -> bool:
    head = data[:4096].decode("utf-8-sig", errors="replace").lstrip().lower()
    return head.startswith("<") and any(
        tag in head for tag in ("<svg", "<html", "<!doctype", "<?xml", "<script", "<body", "<head")
    )


def _is_email(data: bytes) -> bool:
    """True for an RFC 822 message: header lines first, with at least one usual header."""
    if b"\x00" in data:
        return False
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        data, headersonly=True
    )
    names = {key.lower() for key in message}
    if not names & {"from", "to", "subject", "date", "message-id"}:
        return False
    # Plain text that happens to start with "Word: ..." has no header block.
    bad = (
        email.errors.MissingHeaderBodySeparatorDefect,
        email.errors.FirstHeaderLineIsContinuationDefect,
    )
    return not any(isinstance(defect, bad) for defect in message.defects)


def _sniff_kind(upload: UploadedFile, ending: str) -> str:
    head = _head(upload)
    if head.startswith(OLE2_MAGIC):
        if MSG_STREAM_MARKER in _whole(upload):
            return "msg"
        raise ValidationError(
            _("Office documents are not accepted: save it as PDF and upload that."),
            code="office",
        )
    guessed = filetype.guess(head)
    if guessed is not None:
        kind = "jpeg" if guessed.extension == "jpg" else guessed.extension
        if kind in ACCEPTED:
            return kind
        if guessed.extension in EXECUTABLE_TYPES:
            raise ValidationError(_("Programs are not accepted as evidence."), code="executable")
        if guessed.extension in ARCHIVE_TYPES:
            raise ValidationError(
                _("Archives (%(type)s) are not accepted: upload the files inside instead."),
                code="archive",
                params={"type": guessed.extension.upper()},
            )
        if guessed.extension in OFFICE_TYPES:
            raise ValidationError(
                _("Office documents are not accepted: save it as PDF and upload that."),
                code="office",
            )
        return "unknown"
    data = _whole(upload)
    if _looks_like_markup(data):
        raise ValidationError(
            _("SVG and HTML files are not accepted (they can carry scripts): use PNG or PDF."),
            code="markup",
        )
    if ending == "eml":
        if _is_email(data):
            return "eml"
        raise ValidationError(
            _("This .eml file is not an e-mail export: it has no e-mail headers."), code="bad_eml"
        )
    if _is_text(data):
        return "text"
    return "unknown"


def inspect_upload(upload: UploadedFile) -> SniffedFile:
    """Check one uploaded file and say what it is, or raise ValidationError with a reason."""
    name = clean_original_name(upload.name)
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(max)s."),
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            },
        )
    # A file called ".png" is cleaned to "png", but it still claims to be a PNG.
    ending = _ending(name) or _ending("_" + (upload.name or "").replace("\\", "/").split("/")[-1])
    if ending in DANGEROUS_ENDINGS:
        raise ValidationError(
            _("“%(name)s”: .%(ending)s files are not accepted (they can run code)."),
            code="dangerous",
            params={"name": name, "ending": ending},
        )
    try:
        kind = _sniff_kind(upload, ending)
    except ValidationError as exc:
        raise ValidationError(
            _("“%(name)s”: %(reason)s"),
            code=exc.code,
            params={"name": name, "reason": exc.messages[0]},
        ) from exc
    if kind not in ACCEPTED:
        raise ValidationError(
            _("“%(name)s” is not a kind of file we accept. %(accepted)s"),
            code="unsupported",
            params={"name": name, "accepted": accepted_help()},
        )
    content_type, endings, label = ACCEPTED[kind]
    if ending and ending not in endings:
        raise ValidationError(
            _(
                "“%(name)s” is named .%(ending)s but its content is a %(label)s. "
                "Rename it and try again."
            ),
            code="mismatch",
            params={"name": name, "ending": ending, "label": label},
        )
    return SniffedFile(kind=kind, content_type=content_type, original_name=name)


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def add_evidence(
    incident: Incident,
    upload: UploadedFile,
    *,
    uploaded_by: User | None,
    description: str = "",
    sniffed: SniffedFile | None = None,
) -> Evidence:
    """Store one file on an incident, with its checked type, size and SHA-256.

    The file is checked again here unless the caller passes what the form found,
    so no path into storage skips the content check.
    """
    sniffed = sniffed or inspect_upload(upload)
    evidence = Evidence(
        business_id=incident.business_id,
        incident=incident,
        original_name=sniffed.original_name,
        content_type=sniffed.content_type,
        size=upload.size,
        sha256=_sha256(upload),
        description=description,
        uploaded_by=uploaded_by,
        preview_status=PreviewStatus.PENDING if sniffed.kind == "pdf" else PreviewStatus.NONE,
    )
    # upload_to ignores the name it is given: the stored name is random.
    evidence.file.save("evidence", upload, save=False)
    evidence.save()
    if sniffed.kind == "pdf":
        queue_preview(evidence.pk)
    return evidence


@transaction.atomic
def attach_evidence(
    incident: Incident,
    uploads: list[tuple[UploadedFile, SniffedFile]],
    *,
    uploaded_by: User | None,
    description: str = "",
) -> list[Evidence]:
    """Store several checked files on an incident: all of them, or none."""
    return [
        add_evidence(incident, upload, uploaded_by=uploaded_by, description=description, sniffed=s)
        for upload, s in uploads
    ]


@transaction.atomic
def record_incident_with_evidence(
    *,
    business: Business,
    client: Client,
    author: User | None,
    uploads: list[tuple[UploadedFile, SniffedFile]] | None = None,
    **fields: Any,
) -> Incident:
    """Log an incident and its files in one go (the phone form): all saved, or nothing."""
    incident = record_incident(business=business, client=client, author=author, **fields)
    if uploads:
        attach_evidence(incident, uploads, uploaded_by=author)
    return incident
