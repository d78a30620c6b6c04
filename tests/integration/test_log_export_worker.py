"""A client's incident log export built by a real Celery worker on Redis and PostgreSQL."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from assessments.models import IncidentVersion, LogExport
from tests import factories
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _status(export_id: int) -> str:
    return LogExport.objects.get(pk=export_id).status


def test_a_worker_builds_the_log_export_and_shows_a_tampered_row(
    celery_worker, owner_client, business, staff
):
    client = factories.client(business, name="Ελένη Παπαδοπούλου")
    incident = factories.incident(client, by=staff, description="Φώναξε στο τηλέφωνο.")
    version = IncidentVersion.objects.get(incident=incident)
    IncidentVersion.objects.filter(pk=version.pk).update(
        content={**version.content, "description": "Nothing happened."}
    )
    response = owner_client.post(reverse("assessments:log_export_create", args=[client.pk]))
    assert response.status_code == 302
    export = LogExport.objects.get(client=client)
    wait_for(lambda: _status(export.pk) != LogExport.Status.PENDING)
    export.refresh_from_db()
    assert export.status == LogExport.Status.READY, export.last_error
    assert export.chain_ok is False
    download = owner_client.get(reverse("assessments:log_export_pdf", args=[export.pk]))
    text = subprocess.run(
        ["pdftotext", "-", "-"],
        input=b"".join(download.streaming_content),
        capture_output=True,
        check=True,
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Ελένη Παπαδοπούλου" in flat
    assert f"Incident #{incident.number}, version 1: changed outside the app" in flat
