"""One client's incident log as evidence: every version, every file's fingerprint, the chain.

`log_contents()` reads the log in a fixed number of queries whatever its length and checks
the business's hash chain as it concerns this client (each version's hash recomputed, its
link to the previous position checked, no version number missing); `write_csv()` and
`log_html()` word it in the active language and time zone; `build_log_files()` does both
under the export's language and the business's time zone and stores the files.

Used by the build task; it imports no task, so the task module can depend on it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Business
from assessments.incident_text import (
    LONG_FIELDS,
    VERSION_FIELDS,
    Names,
    display_value,
    record_names,
)
from assessments.models import Evidence, Incident, IncidentVersion, LogExport
from assessments.services.incidents import ChainProblem, verify_chain
from clientreview.lib.spreadsheet import safe_cell

# What a version records, in the order the export shows it (the page's fields, and the
# one it leaves out: an export is the whole record).
EXPORT_FIELDS: list[tuple[str, Any]] = [
    *VERSION_FIELDS,
    ("billed_as_extra", gettext_lazy("Billed as extra")),
]
# Problems that belong to one position of the chain (the others name an incident).
VERSION_PROBLEMS = frozenset({"missing", "link", "altered"})


@dataclass
class VersionRow:
    incident_number: int
    version: int
    seq: int
    created: datetime
    author: str
    reason: str
    fields: list[dict[str, Any]]
    hash: str
    prev_hash: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created_utc(self) -> str:
        return self.created.astimezone(dt_timezone.utc).isoformat()


@dataclass
class EvidenceRow:
    incident_number: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    description: str


@dataclass
class LogContents:
    export: LogExport
    generated_at: datetime
    requested_by: str
    incident_count: int
    versions: list[VersionRow]
    evidence: list[EvidenceRow]
    problems: list[str]  # this client's, worded for the reader
    other_problems: int  # elsewhere in the business's chain

    @property
    def chain_ok(self) -> bool:
        return not self.problems

    @property
    def chain_summary(self) -> str:
        """The chain check's result in plain words."""
        if self.chain_ok:
            text = _(
                "Intact. Every version of this client's incidents matches its SHA-256 "
                "fingerprint and follows the version before it in the business's chain: "
                "nothing was changed or removed outside the app."
            )
        else:
            count = len(self.problems)
            text = ngettext(
                "Broken. %(count)d problem was found in this client's records: they were "
                "changed or removed outside the app, as listed below.",
                "Broken. %(count)d problems were found in this client's records: they were "
                "changed or removed outside the app, as listed below.",
                count,
            ) % {"count": count}
        if self.other_problems:
            text += " " + ngettext(
                "The rest of the business's chain has %(count)d problem outside this "
                "client's records.",
                "The rest of the business's chain has %(count)d problems outside this "
                "client's records.",
                self.other_problems,
            ) % {"count": self.other_problems}
        return text


def when(moment: datetime) -> str:
    """A moment as the reader's language writes it, in the active (business) time zone."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _person(email: str) -> str:
    return email or _("a former member")


def _version_problem(problem: ChainProblem) -> str:
    if problem.kind == "altered":
        return _("changed outside the app: its content no longer matches its SHA-256")
    if problem.kind == "link":
        return _("does not follow the version before it in the chain")
    return _("a version before it is missing from the chain")


def _sentence(problem: ChainProblem, version: int | None) -> str:
    values = {"number": problem.incident_number, "version": version}
    if problem.kind == "altered":
        return (
            _(
                "Incident #%(number)s, version %(version)s: changed outside the app (its "
                "content no longer matches its SHA-256)."
            )
            % values
        )
    if problem.kind == "link":
        return (
            _(
                "Incident #%(number)s, version %(version)s: does not follow the version "
                "before it in the chain (a version was changed or removed)."
            )
            % values
        )
    if problem.kind == "missing":
        return (
            _(
                "Incident #%(number)s, version %(version)s: a version before it is missing "
                "from the chain (it was deleted)."
            )
            % values
        )
    if problem.kind == "unversioned":
        return (
            _("Incident #%(number)s has no recorded version (it was added outside the app).")
            % values
        )
    return (
        _(
            "Incident #%(number)s as it is shown now differs from its latest version (it was "
            "changed outside the app)."
        )
        % values
    )


def _fields(content: Any, names: Names) -> list[dict[str, Any]]:
    content = content if isinstance(content, dict) else {}
    return [
        {
            "name": name,
            "label": label,
            "value": display_value(
                name,
                content.get(name, False if name == "billed_as_extra" else None),
                names,
            ),
            "long": name in LONG_FIELDS,
        }
        for name, label in EXPORT_FIELDS
    ]


def log_contents(export: LogExport) -> LogContents:
    """The client's whole log and its chain check (a fixed number of queries).

    Words and dates follow the active language and time zone: call it under the export's.
    """
    business, client = export.business, export.client
    numbers = dict(
        Incident.objects.filter(business=business, client=client).values_list("pk", "number")
    )
    versions = list(
        IncidentVersion.objects.filter(business=business, incident__client=client)
        .only(
            "incident_id",
            "seq",
            "version",
            "content",
            "reason",
            "author_email",
            "created",
            "hash",
            "prev_hash",
        )
        .order_by("seq")
    )
    names = record_names(business, (v.content for v in versions))
    rows = [
        VersionRow(
            incident_number=numbers.get(v.incident_id, 0),
            version=v.version,
            seq=v.seq,
            created=v.created,
            author=_person(v.author_email),
            reason=v.reason,
            fields=_fields(v.content, names),
            hash=v.hash,
            prev_hash=v.prev_hash,
        )
        for v in versions
    ]
    problems = _check(business, numbers, versions, rows)
    evidence = [
        EvidenceRow(
            incident_number=e.incident.number,
            name=e.original_name,
            content_type=e.content_type,
            size=e.size,
            sha256=e.sha256,
            uploaded_by=_person(e.uploaded_by.email if e.uploaded_by else ""),
            uploaded_at=e.uploaded_at,
            description=e.description,
        )
        for e in Evidence.objects.filter(business=business, incident__client=client)
        .select_related("incident", "uploaded_by")
        .order_by("incident__number", "uploaded_at", "id")
    ]
    requester = export.requested_by
    return LogContents(
        export=export,
        generated_at=timezone.now(),
        requested_by=(requester.name or requester.email) if requester else _("a former member"),
        incident_count=len(numbers),
        versions=rows,
        evidence=evidence,
        problems=problems[0],
        other_problems=problems[1],
    )


def _check(
    business: Business,
    numbers: dict[int, int],
    versions: list[IncidentVersion],
    rows: list[VersionRow],
) -> tuple[list[str], int]:
    """This client's chain problems as sentences (and each on its version's row), and how
    many problems the rest of the business's chain has."""
    found = verify_chain(business)
    row_at = {row.seq: row for row in rows}
    version_at = {v.seq: v.version for v in versions}
    mine = [p for p in found if p.incident_id in numbers]
    sentences = []
    for problem in mine:
        version = version_at.get(problem.seq) if problem.seq is not None else None
        if problem.kind in VERSION_PROBLEMS and problem.seq in row_at:
            row_at[problem.seq].problems.append(_version_problem(problem))
        sentences.append(_sentence(problem, version))
    # A version deleted from the middle of an incident's history leaves a gap in its numbers,
    # whoever's version follows it in the business's chain.
    seen: dict[int, set[int]] = defaultdict(set)
    for v in versions:
        seen[v.incident_id].add(v.version)
    for incident_id, kept in seen.items():
        for missing in sorted(set(range(1, max(kept) + 1)) - kept):
            sentences.append(
                _("Incident #%(number)s, version %(version)s: missing (it was deleted).")
                % {"number": numbers.get(incident_id, 0), "version": missing}
            )
    return sentences, len(found) - len(mine)


# --- The files ----------------------------------------------------------------------------


def write_csv(log: LogContents) -> bytes:
    """The log as one CSV in three parts (summary, versions, evidence), UTF-8 with a byte
    order mark so a spreadsheet opens Greek, Korean or Russian text as such."""
    out = io.StringIO()
    writer = csv.writer(out)
    export = log.export
    writer.writerow([_("Incident log"), safe_cell(export.client.name)])
    writer.writerow([_("Business"), safe_cell(export.business.name)])
    writer.writerow([_("Client"), safe_cell(export.client.name)])
    writer.writerow([_("Generated at"), when(log.generated_at)])
    writer.writerow([_("Requested by"), safe_cell(log.requested_by)])
    writer.writerow([_("Incidents"), log.incident_count])
    writer.writerow([_("Versions"), len(log.versions)])
    writer.writerow([_("Evidence files"), len(log.evidence)])
    writer.writerow([_("Chain check"), log.chain_summary])
    for sentence in log.problems:
        writer.writerow(["", sentence])
    writer.writerow([])
    writer.writerow(
        [
            _("Incident"),
            _("Version"),
            _("Chain position"),
            _("Recorded at"),
            _("Recorded at (UTC)"),
            _("Recorded by"),
            _("Reason for the amendment"),
            *[str(label) for _name, label in EXPORT_FIELDS],
            _("SHA-256 of this version"),
            _("SHA-256 of the version before it"),
            _("Chain check"),
        ]
    )
    for row in log.versions:
        writer.writerow(
            [
                f"#{row.incident_number}",
                row.version,
                row.seq,
                when(row.created),
                row.created_utc,
                safe_cell(row.author),
                safe_cell(row.reason),
                *[safe_cell(f["value"]) for f in row.fields],
                row.hash,
                row.prev_hash,
                _("Intact") if row.ok else _("Broken") + ": " + "; ".join(row.problems),
            ]
        )
    writer.writerow([])
    writer.writerow(
        [
            _("Incident"),
            _("File name"),
            _("Type"),
            _("Size (bytes)"),
            "SHA-256",
            _("Added by"),
            _("Added at"),
            _("Description"),
        ]
    )
    for item in log.evidence:
        writer.writerow(
            [
                f"#{item.incident_number}",
                safe_cell(item.name),
                safe_cell(item.content_type),
                item.size,
                item.sha256,
                safe_cell(item.uploaded_by),
                when(item.uploaded_at),
                safe_cell(item.description),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def log_html(log: LogContents) -> str:
    incidents: dict[int, dict[str, list[Any]]] = {}
    for row in log.versions:
        incidents.setdefault(row.incident_number, {"versions": [], "evidence": []})
        incidents[row.incident_number]["versions"].append(row)
    for item in log.evidence:
        incidents.setdefault(item.incident_number, {"versions": [], "evidence": []})
        incidents[item.incident_number]["evidence"].append(item)
    return render_to_string(
        "pdf/incident_log.html",
        {
            "log": log,
            "business": log.export.business,
            "client": log.export.client,
            "generated_at": when(log.generated_at),
            "incidents": sorted(incidents.items()),
        },
    )


def file_name(export: LogExport, suffix: str) -> str:
    """One name per export and format, so building it twice replaces the file."""
    return f"exports/{export.business_id}/log-{export.pk}.{suffix}"


def build_log_files(export_id: int) -> str:
    """Build and store the export's PDF and CSV; mark it READY. Returns "ready", or
    "already ready" when another build finished first (its files are kept)."""
    from assessments.pdf import render_html  # WeasyPrint loads only where PDFs are built

    export = LogExport.objects.select_related("business", "client", "requested_by").get(
        pk=export_id
    )
    with timezone.override(export.business.tzinfo), translation.override(export.language):
        log = log_contents(export)
        csv_bytes = write_csv(log)
        html = log_html(log)
    pdf_bytes = render_html(html)
    assert pdf_bytes is not None  # no target: WeasyPrint returns the bytes
    names = {}
    for suffix, data in (("pdf", pdf_bytes), ("csv", csv_bytes)):
        name = file_name(export, suffix)
        if default_storage.exists(name):
            default_storage.delete(name)
        names[suffix] = default_storage.save(name, ContentFile(data))
    with transaction.atomic():
        export = LogExport.objects.select_for_update().get(pk=export_id)
        if export.status == LogExport.Status.READY:
            # Another build of the same export finished first: keep its files only.
            kept = {export.pdf.name, export.csv.name}
            for name in set(names.values()) - kept:
                default_storage.delete(name)
            return "already ready"
        export.pdf.name, export.csv.name = names["pdf"], names["csv"]
        export.status = LogExport.Status.READY
        export.chain_ok = log.chain_ok
        export.version_count = len(log.versions)
        export.finished_at = timezone.now()
        export.last_error = ""
        export.save(
            update_fields=[
                "pdf",
                "csv",
                "status",
                "chain_ok",
                "version_count",
                "finished_at",
                "last_error",
            ]
        )
    return "ready"
