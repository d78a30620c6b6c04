"""Uploads that lie about themselves: evidence files and the CSV import.

Each is refused with a message naming the problem and nothing is saved, or (a
path in the name) saved safely under a random storage name with the path removed.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Client, Evidence, Incident, Invoice
from tests.hardening import form_data
from tests.hardening.support import body_of, client_for

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)


def zip_bomb() -> bytes:
    """A few kilobytes that inflate to 200 MB of zeros."""
    buffer = io.BytesIO()
    chunk = b"\x00" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.txt", "w", force_zip64=True) as member,
    ):
        for _ in range(200):
            member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    return data


# name -> (file name, content, words the refusal must contain)
REFUSED = {
    "text named .png": ("photo.png", b"Just some words, not a picture.\n", "named .png"),
    "png named .pdf": ("contract.pdf", PNG, "named .pdf"),
    "svg with script": ("drawing.svg", SVG, ".svg files are not accepted"),
    "svg named .png": ("drawing.png", SVG, "SVG and HTML files are not accepted"),
    "html named .txt": (
        "note.txt",
        b"<!doctype html><html><script>alert(1)</script>",
        "SVG and HTML",
    ),
    "zip bomb": ("bomb.zip", None, "Archives"),
    "zip bomb named .jpg": ("holiday.jpg", None, "Archives"),
    "empty file": ("empty.txt", b"", "empty"),
    "pdf named .png (no stem)": (".png", PDF, "named .png"),
    "executable": ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 200, "not accepted"),
}


def _content(content: bytes | None) -> bytes:
    return zip_bomb() if content is None else content


def _evidence_count(world) -> int:
    return Evidence.objects.filter(business=world.business).count()


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_evidence_upload_refuses_files_that_lie(world, case):
    name, content, words = REFUSED[case]
    client = client_for("staff", world)
    before = _evidence_count(world)
    response = client.post(
        reverse("assessments:evidence_add", args=[world.incident.pk]),
        {"files": SimpleUploadedFile(name, _content(content)), "description": ""},
    )
    assert response.status_code == 400
    assert words in body_of(response), response.context["evidence_form"].errors
    assert _evidence_count(world) == before


@pytest.mark.parametrize("case", ["svg with script", "zip bomb", "pdf named .png (no stem)"])
def test_the_incident_form_refuses_them_too_and_logs_nothing(world, case):
    name, content, words = REFUSED[case]
    client = client_for("staff", world)
    spec = form_data.FORMS["assessments:incident_create"]
    data = spec.data(world)
    data["files"] = SimpleUploadedFile(name, _content(content))
    incidents = Incident.objects.filter(business=world.business).count()
    before = _evidence_count(world)
    response = client.post(reverse("assessments:incident_create"), data)
    assert response.status_code == 400
    assert words in body_of(response)
    assert Incident.objects.filter(business=world.business).count() == incidents
    assert _evidence_count(world) == before


def test_evidence_over_the_size_limit_is_refused(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    before = _evidence_count(world)
    client = client_for("staff", world)
    response = client.post(
        reverse("assessments:evidence_add", args=[world.incident.pk]),
        {"files": SimpleUploadedFile("long.txt", b"a" * 1001)},
    )
    assert response.status_code == 400
    assert "files may be at most" in body_of(response)
    assert _evidence_count(world) == before


@pytest.mark.parametrize(
    "name, content, kept",
    [
        ("../../etc/passwd.txt", b"root:x:0:0\n", "passwd.txt"),
        ("C:\\evil\\x.png", PNG, "x.png"),
        ("..\\..\\windows\\win.ini.txt", b"[fonts]\n", "win.ini.txt"),
    ],
)
def test_a_path_in_the_name_is_dropped_and_never_used_for_storage(world, name, content, kept):
    client = client_for("staff", world)
    response = client.post(
        reverse("assessments:evidence_add", args=[world.incident.pk]),
        {"files": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.filter(business=world.business).latest("id")
    assert evidence.original_name == kept
    assert evidence.file.name.startswith(f"evidence/{world.business.pk}/")
    assert ".." not in evidence.file.name and kept not in evidence.file.name
    download = client.get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == content


# --- The CSV import ---------------------------------------------------------------------

CSV_REFUSED = {
    "png named .csv": ("invoices.csv", PNG, "not a CSV text file"),
    "zip bomb named .csv": ("invoices.csv", None, "not a CSV text file"),
    "svg named .csv": ("invoices.csv", SVG, "must name the columns"),
    "pdf named .png": (".png", PDF, "must name the columns"),
    "empty file": ("invoices.csv", b"", "empty"),
    "header only": ("invoices.csv", b"client,number,issued,amount\n", "no rows"),
    "too large": (
        "invoices.csv",
        b"client,number,issued,amount\n" + b"x" * (2 * 1024 * 1024),
        "2 MB",
    ),
}


@pytest.mark.parametrize("case", sorted(CSV_REFUSED))
def test_csv_import_refuses_files_that_are_not_csv(world, case):
    name, content, words = CSV_REFUSED[case]
    client = client_for("owner", world)
    invoices = Invoice.objects.count()
    response = client.post(
        reverse("assessments:import_upload"),
        {"file": SimpleUploadedFile(name, _content(content))},
    )
    assert response.status_code == 400
    assert words in body_of(response)
    assert Invoice.objects.count() == invoices


def test_csv_with_a_path_in_its_name_and_markup_in_cells_previews_as_text(world):
    client = client_for("owner", world)
    csv = "client,number,issued,amount\n<script>alert(1)</script>,X-1,2025-01-10,10.00\n"
    response = client.post(
        reverse("assessments:import_upload"),
        {"file": SimpleUploadedFile("../../etc/invoices.csv", csv.encode())},
    )
    assert response.status_code == 200
    body = body_of(response)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "../" not in body.split("<main", 1)[1]
    assert not Client.objects.filter(name__contains="script").exists()
