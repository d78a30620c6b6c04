"""Evidence: content-checked uploads, random storage names, downloads that check the business."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from assessments.models import Evidence
from assessments.services.evidence import add_evidence, clean_original_name, inspect_upload
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EML = (
    b"From: Jane Doe <jane@acme.test>\r\nTo: stan@alpha.test\r\n"
    b"Subject: Your useless work\r\nDate: Wed, 12 Mar 2025 22:15:00 +0000\r\n\r\n"
    b"You are all idiots.\r\n"
)
# The start of an OLE2 container with an Outlook stream name in its directory.
MSG = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "__substg1.0_0037001F".encode("utf-16-le")
)
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le")
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def zip_bomb_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"\x00" * 1_000_000)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def incident(business, staff):
    return factories.incident(factories.client(business, name="Acme Ltd"), by=staff)


# --- What is accepted -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("photo.png", PNG, "image/png"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("anim.gif", GIF, "image/gif"),
        ("shot.webp", WEBP, "image/webp"),
        ("contract.pdf", PDF, "application/pdf"),
        ("complaint.eml", EML, "message/rfc822"),
        ("complaint.msg", MSG, "application/vnd.ms-outlook"),
        ("notes.txt", "Καλημέρα. Привет. 안녕하세요. שלום 🙂\n".encode(), "text/plain"),
        ("notes", b"No ending at all, still plain text.\n", "text/plain"),
        ("camera-upload", JPEG, "image/jpeg"),
    ],
)
def test_accepted_types_are_recognised_by_content(name, data, content_type):
    # The browser's claimed type is ignored: everything claims to be a PNG here.
    assert inspect_upload(upload(name, data, "image/png")).content_type == content_type


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.pdf", PNG, "named .pdf but its content is a PNG image"),
        ("scan.png", PDF, "named .png but its content is a PDF document"),
        ("mail.txt", JPEG, "named .txt but its content is a JPEG image"),
        ("drawing.svg", SVG, ".svg files are not accepted"),
        ("drawing.png", SVG, "SVG and HTML files are not accepted"),
        ("drawing.txt", SVG, "SVG and HTML files are not accepted"),
        ("page.html", HTML, ".html files are not accepted"),
        ("page.txt", HTML, "SVG and HTML files are not accepted"),
        ("bomb.zip", zip_bomb_like(), "Archives (ZIP) are not accepted"),
        ("bomb.txt", zip_bomb_like(), "Archives (ZIP) are not accepted"),
        ("logs.txt", gzip.compress(b"x" * 1000, mtime=0), "Archives (GZ) are not accepted"),
        ("setup.exe", EXE, ".exe files are not accepted"),
        ("setup.pdf", EXE, "Programs are not accepted"),
        ("tool", ELF, "Programs are not accepted"),
        ("letter.doc", DOC, "Office documents are not accepted"),
        ("letter.msg", DOC, "Office documents are not accepted"),
        ("fake.eml", b"Just some words, no headers at all.\n", "not an e-mail export"),
        ("fake.eml", PNG, "named .eml but its content is a PNG image"),
        ("binary.txt", b"abc\x00def", "not a kind of file we accept"),
        ("latin1.txt", "café".encode("latin-1"), "not a kind of file we accept"),
        ("control.txt", b"bell \x07 here", "not a kind of file we accept"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_refused_with_a_message(name, data, message):
    with pytest.raises(ValidationError) as refused:
        inspect_upload(upload(name, data))
    assert message in refused.value.messages[0]
    assert name.rsplit("/", 1)[-1] in refused.value.messages[0]


def test_too_large_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        inspect_upload(upload("big.png", PNG + b"\x00" * 1024))
    assert "files may be at most 1.0\xa0KB" in refused.value.messages[0]
    assert inspect_upload(upload("fits.png", PNG)).kind == "png"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.txt", "evil.txt"),
        ("/absolute/path/photo.png", "photo.png"),
        ("C:\\Users\\me\\Desktop\\photo.png", "photo.png"),
        ("photo\x00.png", "photo.png"),
        ("line\nbreak.txt", "linebreak.txt"),
        ("..", "evidence"),
        ("", "evidence"),
        ("ok " + "a" * 300 + ".png", ("ok " + "a" * 300)[:251] + ".png"),
    ],
)
def test_path_parts_are_removed_from_the_name(given, kept):
    assert clean_original_name(given) == kept


def test_a_path_in_the_name_never_reaches_storage(incident, staff):
    item = upload("x", b"root:x:0:0:root:/root:/bin/bash\n")
    item.name = "../../etc/passwd"  # as a hostile client could send it
    evidence = add_evidence(incident, item, uploaded_by=staff)
    assert evidence.original_name == "passwd"
    assert evidence.file.name.startswith(f"evidence/{incident.business_id}/")
    assert "passwd" not in evidence.file.name and ".." not in evidence.file.name


# --- Upload on an incident --------------------------------------------------------------


def test_upload_personas(anon_client, outsider_client, incident):
    url = reverse("assessments:evidence_add", args=[incident.pk])
    response = anon_client.post(url, {"files": upload("a.png", PNG)})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert outsider_client.post(url, {"files": upload("a.png", PNG)}).status_code == 404
    assert outsider_client.get(url).status_code == 405  # POST only, whoever asks
    assert not Evidence.objects.exists()


def test_upload_requires_post(staff_client, incident):
    assert (
        staff_client.get(reverse("assessments:evidence_add", args=[incident.pk])).status_code == 405
    )


def test_staff_uploads_evidence(staff_client, staff, incident):
    url = reverse("assessments:evidence_add", args=[incident.pk])
    response = staff_client.post(
        url,
        {"files": [upload("IMG_2041.JPG", JPEG), upload("mail.eml", EML)], "description": "Chat"},
    )
    assert response.status_code == 302
    assert response["Location"] == incident.get_absolute_url()
    photo, mail = Evidence.objects.order_by("id")
    assert (photo.original_name, photo.content_type, photo.size) == (
        "IMG_2041.JPG",
        "image/jpeg",
        len(JPEG),
    )
    assert photo.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert photo.uploaded_by == staff and photo.description == "Chat"
    assert photo.business_id == incident.business_id
    # Stored under a random name, through the storage API.
    assert "IMG_2041" not in photo.file.name
    with default_storage.open(photo.file.name, "rb") as stored:
        assert stored.read() == JPEG
    assert mail.content_type == "message/rfc822"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "This field is required."),
        ([("photo.pdf", PNG)], "named .pdf but its content is a PNG image"),
        ([("bomb.zip", None)], "Archives (ZIP) are not accepted"),
        ([("x.svg", SVG)], ".svg files are not accepted"),
        ([("ok.png", PNG), ("x.html", HTML)], ".html files are not accepted"),
        ([(f"p{n}.png", PNG) for n in range(11)], "Upload at most 10 files at once."),
    ],
)
def test_bad_upload_saves_nothing(staff_client, incident, files, message):
    url = reverse("assessments:evidence_add", args=[incident.pk])
    payload = [upload(name, data if data is not None else zip_bomb_like()) for name, data in files]
    response = staff_client.post(url, {"files": payload})
    assert response.status_code == 400
    assert message in " ".join(response.context["evidence_form"].errors["files"])
    assert message.split(" ")[0] in response.content.decode()
    assert not Evidence.objects.exists()


def test_too_large_upload_through_the_page(staff_client, incident, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    url = reverse("assessments:evidence_add", args=[incident.pk])
    response = staff_client.post(url, {"files": upload("big.png", PNG + b"\x00" * 200)})
    assert response.status_code == 400
    assert "files may be at most" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_cannot_be_deleted(incident, staff):
    evidence = add_evidence(incident, upload("a.png", PNG), uploaded_by=staff)
    with pytest.raises(PermissionDenied):
        evidence.delete()


# --- Download -----------------------------------------------------------------------------


@pytest.fixture
def stored(incident, staff):
    return add_evidence(
        incident, upload("Jane's rant (1).eml", EML), uploaded_by=staff, description="rant"
    )


def test_download_personas(anon_client, outsider_client, stored):
    url = reverse("assessments:evidence_download", args=[stored.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(kind="evidence_downloaded").exists()


def test_download_is_an_attachment_and_audited(staff_client, staff, stored):
    response = staff_client.get(reverse("assessments:evidence_download", args=[stored.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == EML
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Jane" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(kind="evidence_downloaded")
    assert event.actor == staff and event.business_id == stored.business_id
    assert "Jane's rant (1).eml" in event.detail


def test_text_is_served_as_utf8_text(staff_client, incident, staff):
    note = add_evidence(incident, upload("n.txt", "Ωμέγα".encode()), uploaded_by=staff)
    response = staff_client.get(reverse("assessments:evidence_download", args=[note.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_missing_file_is_a_404_not_a_500(staff_client, stored):
    default_storage.delete(stored.file.name)
    response = staff_client.get(reverse("assessments:evidence_download", args=[stored.pk]))
    assert response.status_code == 404


def test_incident_page_lists_evidence(staff_client, stored):
    page = staff_client.get(stored.incident.get_absolute_url()).content.decode()
    assert reverse("assessments:evidence_download", args=[stored.pk]) in page
    assert "Jane&#x27;s rant (1).eml" in page
    assert stored.sha256 in page
