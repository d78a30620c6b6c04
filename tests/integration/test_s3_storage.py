"""Evidence and plan PDFs on S3-compatible object storage (moto's server on 127.0.0.1).

This is what lets web processes and workers on different machines share files:
`AWS_STORAGE_BUCKET_NAME` switches Django's default storage to django-storages'
S3Storage. Nothing here needs a service of this machine: moto runs in-process,
so the test runs wherever the integration tier does.
"""

from __future__ import annotations

import socket
from datetime import date, timedelta

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Evidence, OffboardingPlan
from tests import factories
from tests.plans.helpers import completed_assessment, reason

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

BUCKET = "clientreview-test"
LOCATION = "clientreview"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **KEYS).create_bucket(
        Bucket=BUCKET
    )
    yield endpoint
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint, tmp_path):
    """Default storage on the bucket, configured as settings.py does from the environment."""
    settings.MEDIA_ROOT = tmp_path / "must-stay-empty"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "location": LOCATION,
            },
        },
    }
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    yield client
    assert not settings.MEDIA_ROOT.exists()  # nothing fell back to the local disk


def _keys(client, prefix: str) -> list[str]:
    found = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{LOCATION}/{prefix}")
    return [item["Key"] for item in found.get("Contents", [])]


def test_evidence_is_stored_in_the_bucket_and_served_by_the_view(s3, owner_client, business, owner):
    incident = factories.incident(factories.client(business), by=owner)
    body = b"Screenshot transcript: 'You will regret this.' 23:14, Sunday.\n"
    response = owner_client.post(
        reverse("assessments:evidence_add", args=[incident.pk]),
        {"files": SimpleUploadedFile("note.txt", body, "text/plain"), "description": "Chat"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(incident=incident)
    assert default_storage.__class__.__name__ == "S3Storage"
    # In the bucket, under the random name; the uploader's name is data only.
    assert _keys(s3, f"evidence/{business.pk}/") == [f"{LOCATION}/{evidence.file.name}"]
    stored = s3.get_object(Bucket=BUCKET, Key=f"{LOCATION}/{evidence.file.name}")
    assert stored["Body"].read() == body
    download = owner_client.get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == body
    assert 'filename="note.txt"' in download["Content-Disposition"]


def test_plan_pdf_is_built_into_the_bucket_and_downloaded(s3, owner_client, business, owner):
    from assessments.tasks import build_plan_pdf

    client = factories.client(business, name="Иван Петров и партнёры")
    factories.invoice(client)
    assessment = completed_assessment(
        client,
        reasons=[
            reason("dishonest", "Dishonest", "deal_breaker", "Denied the signed scope twice.")
        ],
    )
    plan = OffboardingPlan.objects.create(
        business=business,
        client=client,
        assessment=assessment,
        created_by=owner,
        reason_flag="dishonest",
        reason_fact="Denied the signed scope twice.",
        announce_on=date.today() + timedelta(days=2),
    )
    assert build_plan_pdf(plan.pk) == "ready"
    plan.refresh_from_db()
    assert plan.status == OffboardingPlan.Status.READY
    assert _keys(s3, f"plans/{business.pk}/") == [
        f"{LOCATION}/plans/{business.pk}/plan-{plan.pk}.pdf"
    ]
    # Built twice: still one object (the task is idempotent on S3 too).
    plan.status = OffboardingPlan.Status.PENDING
    plan.save(update_fields=["status"])
    assert build_plan_pdf(plan.pk) == "ready"
    assert len(_keys(s3, f"plans/{business.pk}/")) == 1
    download = owner_client.get(reverse("assessments:plan_download", args=[plan.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
