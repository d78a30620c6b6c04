"""Evidence preview: images as stored, a PDF's first page as PNG, only through the
tenancy-checked preview URL; a PDF that cannot be rendered says so, never a 500."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Evidence
from assessments.models.incidents import PreviewStatus
from assessments.services.evidence import add_evidence
from clientreview.middleware import CONTENT_SECURITY_POLICY
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
CORRUPT_PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
NO_PREVIEW = "No preview; download the file"


def real_pdf() -> bytes:
    from weasyprint import HTML

    buffer = io.BytesIO()
    HTML(string="<h1>Invoice 1043, disputed</h1>").write_pdf(buffer)
    return buffer.getvalue()


@pytest.fixture
def incident(business, staff):
    return factories.incident(factories.client(business, name="Acme Ltd"), by=staff)


def attach(incident, name, data, staff, capture):
    with capture(execute=True):
        evidence = add_evidence(
            incident, SimpleUploadedFile(name, data), uploaded_by=staff, description=""
        )
    evidence.refresh_from_db()
    return evidence


def preview_url(evidence) -> str:
    return reverse("assessments:evidence_preview", args=[evidence.pk])


@pytest.mark.parametrize("persona", ["owner_client", "staff_client"])
@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [("photo.png", PNG, "image/png"), ("receipt.jpg", JPEG, "image/jpeg")],
)
def test_an_image_is_served_inline_as_stored(
    request, persona, name, data, content_type, incident, staff, django_capture_on_commit_callbacks
):
    evidence = attach(incident, name, data, staff, django_capture_on_commit_callbacks)
    response = request.getfixturevalue(persona).get(preview_url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == data


@pytest.mark.parametrize("persona", ["owner_client", "staff_client"])
def test_a_pdf_shows_its_first_page_as_png(
    request, persona, incident, staff, django_capture_on_commit_callbacks
):
    evidence = attach(incident, "letter.pdf", real_pdf(), staff, django_capture_on_commit_callbacks)
    assert evidence.preview_status == PreviewStatus.READY
    response = request.getfixturevalue(persona).get(preview_url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG\r\n\x1a\n")


def test_the_incident_page_shows_the_previews_and_keeps_its_csp(
    owner_client, incident, staff, django_capture_on_commit_callbacks
):
    image = attach(incident, "photo.png", PNG, staff, django_capture_on_commit_callbacks)
    pdf = attach(incident, "letter.pdf", real_pdf(), staff, django_capture_on_commit_callbacks)
    response = owner_client.get(incident.get_absolute_url())
    html = response.content.decode()
    assert f'<img src="{preview_url(image)}" alt="photo.png"' in html
    assert f'<img src="{preview_url(pdf)}" alt="letter.pdf"' in html
    assert image.sha256[:12] in html
    assert NO_PREVIEW not in html
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_corrupt_pdf_says_no_preview_and_its_preview_url_is_a_clean_404(
    owner_client, incident, staff, django_capture_on_commit_callbacks
):
    evidence = attach(
        incident, "broken.pdf", CORRUPT_PDF, staff, django_capture_on_commit_callbacks
    )
    assert evidence.preview_status == PreviewStatus.FAILED
    html = owner_client.get(incident.get_absolute_url()).content.decode()
    assert NO_PREVIEW in html
    assert preview_url(evidence) not in html
    assert owner_client.get(preview_url(evidence)).status_code == 404
    # Still downloadable as evidence.
    download = reverse("assessments:evidence_download", args=[evidence.pk])
    assert owner_client.get(download).status_code == 200


def test_a_pdf_not_rendered_yet_says_so(owner_client, incident, staff):
    # No on-commit callbacks run: the worker has not rendered it yet.
    evidence = add_evidence(
        incident, SimpleUploadedFile("later.pdf", real_pdf()), uploaded_by=staff
    )
    assert Evidence.objects.get(pk=evidence.pk).preview_status == PreviewStatus.PENDING
    html = owner_client.get(incident.get_absolute_url()).content.decode()
    assert "Preview being prepared" in html
    assert owner_client.get(preview_url(evidence)).status_code == 404


def test_text_evidence_has_no_preview(
    owner_client, incident, staff, django_capture_on_commit_callbacks
):
    evidence = attach(
        incident, "note.txt", b"He shouted at us.\n", staff, django_capture_on_commit_callbacks
    )
    assert owner_client.get(preview_url(evidence)).status_code == 404


def test_another_business_gets_404(
    outsider_client, incident, staff, django_capture_on_commit_callbacks
):
    image = attach(incident, "photo.png", PNG, staff, django_capture_on_commit_callbacks)
    pdf = attach(incident, "letter.pdf", real_pdf(), staff, django_capture_on_commit_callbacks)
    assert outsider_client.get(preview_url(image)).status_code == 404
    assert outsider_client.get(preview_url(pdf)).status_code == 404


def test_anonymous_is_sent_to_login(client, incident, staff, django_capture_on_commit_callbacks):
    image = attach(incident, "photo.png", PNG, staff, django_capture_on_commit_callbacks)
    response = client.get(preview_url(image))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_slow_renderer_is_stopped_and_marked_failed(
    monkeypatch, incident, staff, django_capture_on_commit_callbacks
):
    from assessments.services import evidence_preview

    monkeypatch.setattr(evidence_preview, "RENDER_TIMEOUT_SECONDS", 0.001)
    evidence = attach(incident, "letter.pdf", real_pdf(), staff, django_capture_on_commit_callbacks)
    assert evidence.preview_status == PreviewStatus.FAILED
