"""Offboarding plans through a real Celery worker on Redis and PostgreSQL: built end to
end, and kept pending (with a fast answer) while the broker is unreachable, then built
once the sweep queues it again. A worker killed mid-build is tests/integration/test_faults.py.
"""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import OffboardingPlan
from assessments.services.plans import requeue_stale_plans
from tests import factories
from tests.integration.conftest import use_broker, wait_for
from tests.plans import helpers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Status = OffboardingPlan.Status
UNREACHABLE_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


def _status(plan_id: int) -> str:
    return OffboardingPlan.objects.get(pk=plan_id).status


def _files(settings, plan) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "plans" / str(plan.business_id)
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def fire(business):
    client = factories.client(business, name="Ελένη Παπαδοπούλου")
    factories.contact(client, name="김민준")
    helpers.paid_invoice(client, amount="1234.50")
    return helpers.completed_assessment(client)


def test_a_worker_builds_the_plan_end_to_end(celery_worker, owner_client, fire, settings):
    response = owner_client.post(
        reverse("assessments:plan_create", args=[fire.pk]),
        helpers.plan_post(goodwill="refund_last"),
    )
    assert response.status_code == 302
    plan = OffboardingPlan.objects.get(assessment=fire)
    wait_for(lambda: _status(plan.pk) in (Status.READY, Status.FAILED))
    plan.refresh_from_db()
    assert plan.status == Status.READY, plan.last_error
    assert plan.attempts == 1
    assert [p.name for p in _files(settings, plan)] == [f"plan-{plan.pk}.pdf"]
    download = owner_client.get(reverse("assessments:plan_download", args=[plan.pk]))
    text = subprocess.run(
        ["pdftotext", "-", "-"],
        input=b"".join(download.streaming_content),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Ελένη Παπαδοπούλου" in text and "Dear 김민준," in text
    assert "€1,234.50" in text


def test_broker_down_answers_fast_keeps_the_plan_and_the_sweep_builds_it(
    celery_worker, redis_broker, owner_client, fire
):
    use_broker(UNREACHABLE_BROKER)
    try:
        started = time.monotonic()
        response = owner_client.post(
            reverse("assessments:plan_create", args=[fire.pk]), helpers.plan_post()
        )
        answered_in = time.monotonic() - started
    finally:
        use_broker(redis_broker)
    assert response.status_code == 302
    assert answered_in < 3, f"the page took {answered_in:.1f} s with the broker down"
    plan = OffboardingPlan.objects.get(assessment=fire)
    assert plan.status == Status.PENDING and plan.attempts == 0
    # Redis is back; the sweep (beat, every minute) finds the plan stale and queues it.
    assert requeue_stale_plans(now=timezone.now() + timedelta(minutes=2)) == 1
    wait_for(lambda: _status(plan.pk) == Status.READY)
