"""The build task run directly, the sweep that re-queues forgotten plans, and queueing
that survives a broker outage."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from assessments import pdf, tasks
from assessments.models import OffboardingPlan
from assessments.plan import default_choices
from assessments.services import plans as services
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db

Status = OffboardingPlan.Status


@pytest.fixture
def plan(business, owner):
    """A saved plan whose task was not run (its on-commit callback never fires here)."""
    client = factories.client(business, name="Ελένη Παπαδοπούλου")
    helpers.paid_invoice(client)
    assessment = helpers.completed_assessment(client)
    choices = default_choices(services.load_situation(assessment))
    choices["provider_kind"] = "a larger agency"
    return services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)


def plan_files(settings, plan) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "plans" / str(plan.business_id)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_saving_leaves_the_plan_pending_and_queues_it_on_commit(
    business, owner, django_capture_on_commit_callbacks
):
    client = factories.client(business)
    assessment = helpers.completed_assessment(client)
    choices = default_choices(services.load_situation(assessment))
    choices["provider_kind"] = "x"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan = services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    plan.refresh_from_db()
    assert plan.status == Status.PENDING and plan.enqueued_at is not None
    assert len(callbacks) == 1  # the task goes out only once the row is committed
    callbacks[0]()  # in-process here: builds it
    plan.refresh_from_db()
    assert plan.status == Status.READY


def test_task_builds_once_and_is_idempotent(plan, settings):
    assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "ready"
    plan.refresh_from_db()
    assert plan.status == Status.READY and plan.built_at is not None
    assert plan.file.name == f"plans/{plan.business_id}/plan-{plan.pk}.pdf"
    assert plan.attempts == 1 and plan.last_error == ""
    first = plan_files(settings, plan)
    assert [p.name for p in first] == [f"plan-{plan.pk}.pdf"]
    assert first[0].read_bytes().startswith(b"%PDF-")
    # Again (a re-delivery, or the sweep): nothing new.
    assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "already ready"
    plan.refresh_from_db()
    assert plan.attempts == 1
    assert plan_files(settings, plan) == first


def test_rebuilding_replaces_the_file(plan, settings):
    tasks.build_plan_pdf.apply(args=(plan.pk,))
    services.request_rebuild(plan)
    plan.refresh_from_db()
    assert plan.status == Status.PENDING
    assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "ready"
    plan.refresh_from_db()
    assert plan.status == Status.READY and plan.attempts == 2
    assert [p.name for p in plan_files(settings, plan)] == [f"plan-{plan.pk}.pdf"]


def test_a_killed_build_is_finished_by_the_next_run(plan, settings):
    """Processing with half a file under the plan's name (the worker died mid-write)."""
    name = services.plan_file_name(plan)
    default_storage.save(name, ContentFile(b"%PDF-1.7 half a fil"))
    OffboardingPlan.objects.filter(pk=plan.pk).update(status=Status.PROCESSING, attempts=1)
    assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "ready"
    plan.refresh_from_db()
    assert plan.status == Status.READY and plan.attempts == 2
    files = plan_files(settings, plan)
    assert [p.name for p in files] == [f"plan-{plan.pk}.pdf"]
    assert files[0].stat().st_size > 10_000


def test_a_ready_plan_whose_file_is_gone_is_built_again(plan, settings):
    tasks.build_plan_pdf.apply(args=(plan.pk,))
    plan.refresh_from_db()
    default_storage.delete(plan.file.name)
    assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "ready"
    assert len(plan_files(settings, plan)) == 1


def test_a_racing_second_build_leaves_one_file(plan, settings, tmp_path, monkeypatch):
    tasks.build_plan_pdf.apply(args=(plan.pk,))
    plan.refresh_from_db()
    first = plan.file.name
    # A second build of the same plan finishing late: the name was free when it looked,
    # taken when it saved, so storage gave its file another name.
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.7 second")
    real_exists, asked = FileSystemStorage.exists, []

    def free_when_it_looked(storage, name):
        asked.append(name)
        return False if len(asked) == 1 else real_exists(storage, name)

    monkeypatch.setattr(FileSystemStorage, "exists", free_when_it_looked)
    kept = services.store_plan_file(plan.pk, str(other))
    plan.refresh_from_db()
    assert kept == first == plan.file.name
    assert [p.name for p in plan_files(settings, plan)] == [f"plan-{plan.pk}.pdf"]


def test_a_plan_changed_mid_build_is_left_for_the_newer_build(plan, monkeypatch):
    real = pdf.render_plan_pdf

    def edited_meanwhile(plan_arg, target):
        real(plan_arg, target)
        services.request_rebuild(plan_arg)  # the owner saves new choices during the build

    monkeypatch.setattr(pdf, "render_plan_pdf", edited_meanwhile)
    assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "superseded"
    plan.refresh_from_db()
    assert plan.status == Status.PENDING  # the newer build, already queued, makes it ready
    monkeypatch.setattr(pdf, "render_plan_pdf", real)
    assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "ready"


def test_a_failure_is_recorded_and_not_retried(plan, monkeypatch, caplog):
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise ValueError("template exploded at /srv/secret/path")

    monkeypatch.setattr(pdf, "render_plan_pdf", broken)
    with caplog.at_level(logging.ERROR):
        assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "failed"
    plan.refresh_from_db()
    assert plan.status == Status.FAILED
    assert "ValueError" in plan.last_error and "/srv/secret" not in plan.last_error
    assert len(calls) == 1 and plan.attempts == 1
    assert "could not be built" in caplog.text


def test_transient_errors_are_retried_then_recorded(plan, monkeypatch):
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        raise ConnectionError("share went away")

    monkeypatch.setattr(pdf, "render_plan_pdf", flaky)
    tasks.build_plan_pdf.apply(args=(plan.pk,))
    plan.refresh_from_db()
    assert len(calls) == tasks.PLAN_MAX_RETRIES + 1
    assert plan.status == Status.FAILED and "ConnectionError" in plan.last_error


def test_a_transient_error_that_clears_ends_ready(plan, monkeypatch):
    real = pdf.render_plan_pdf
    calls = []

    def once_flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise TimeoutError("slow disk")
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_plan_pdf", once_flaky)
    tasks.build_plan_pdf.apply(args=(plan.pk,))
    plan.refresh_from_db()
    assert plan.status == Status.READY and len(calls) == 2


def test_too_slow_is_recorded(plan, monkeypatch):
    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(pdf, "render_plan_pdf", slow)
    assert tasks.build_plan_pdf.apply(args=(plan.pk,)).get() == "failed"
    plan.refresh_from_db()
    assert plan.status == Status.FAILED and "too long" in plan.last_error


def test_a_missing_plan_is_a_no_op():
    assert tasks.build_plan_pdf.apply(args=(999999,)).get() == "missing"


def test_task_options_follow_the_house_rules():
    task = tasks.build_plan_pdf
    assert task.acks_late and task.reject_on_worker_lost
    assert task.soft_time_limit < task.time_limit
    assert task.max_retries == 3 and task.retry_backoff
    assert set(task.autoretry_for) == set(tasks.PLAN_TRANSIENT_ERRORS)
    assert ValueError not in task.autoretry_for


def test_a_broker_outage_leaves_the_plan_pending(
    business, owner, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(tasks.build_plan_pdf, "delay", down)
    client = factories.client(business)
    assessment = helpers.completed_assessment(client)
    choices = default_choices(services.load_situation(assessment))
    choices["provider_kind"] = "x"
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        plan = services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    plan.refresh_from_db()
    assert plan.status == Status.PENDING
    assert "stays pending" in caplog.text


@pytest.mark.parametrize(
    "status,age,requeued",
    [
        (Status.PENDING, timedelta(minutes=2), True),
        (Status.PENDING, timedelta(seconds=10), False),
        (Status.PROCESSING, timedelta(minutes=10), True),
        (Status.PROCESSING, timedelta(seconds=30), False),
        (Status.FAILED, timedelta(hours=1), False),
        (Status.READY, timedelta(hours=1), False),
    ],
)
def test_the_sweep_requeues_only_stale_plans(plan, monkeypatch, status, age, requeued):
    published = []
    monkeypatch.setattr(tasks.build_plan_pdf, "delay", lambda pk: published.append(pk))
    then = timezone.now() - age
    OffboardingPlan.objects.filter(pk=plan.pk).update(status=status, enqueued_at=then, updated=then)
    assert tasks.requeue_pending_plans.apply().get() == int(requeued)
    assert published == ([plan.pk] if requeued else [])
    # Either way, the next sweep a moment later publishes nothing (again).
    assert tasks.requeue_pending_plans.apply().get() == 0


def test_the_sweep_builds_a_stale_pending_plan_end_to_end(plan):
    OffboardingPlan.objects.filter(pk=plan.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )
    call_command("requeue_plans")  # tasks run in-process in this tier
    plan.refresh_from_db()
    assert plan.status == Status.READY
