"""Reminders through a real Celery worker on Redis and PostgreSQL: every kind is e-mailed
exactly once (the worker's console mail lands in its log), and a second run sends nothing."""

from __future__ import annotations

import pytest

from assessments.models import Reminder
from assessments.tasks import send_daily_reminders
from tests.integration.conftest import wait_for
from tests.reminders import test_reminders as cases

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _subjects(worker) -> list[str]:
    return [
        line
        for line in worker.log.read_text().splitlines()
        if line.startswith("Subject: ") and "fell due" in line
    ]


def test_the_worker_sends_each_reminder_once(celery_worker, business, owner, staff):
    for case in cases.CASES:
        case(business, owner)
    send_daily_reminders.delay()
    wait_for(
        lambda: (
            Reminder.objects.filter(business=business).exists()
            and not Reminder.objects.filter(emailed_at__isnull=True).exists()
        )
    )
    assert set(Reminder.objects.values_list("kind", flat=True)) == set(Reminder.Kind.values)
    wait_for(lambda: len(_subjects(celery_worker)) >= 1)
    assert len(_subjects(celery_worker)) == 1  # one owner, one message listing every date

    result = send_daily_reminders.delay()
    wait_for(lambda: "succeeded" in celery_worker.log.read_text().split(result.id)[-1])
    assert len(_subjects(celery_worker)) == 1
    assert Reminder.objects.count() == 6


def _digests(worker) -> list[str]:
    return [
        line
        for line in worker.log.read_text().splitlines()
        if line.startswith("Subject: ") and "need" in line and "a look" in line
    ]


def test_the_worker_sends_the_early_warning_digest_once(celery_worker, business, owner, staff):
    from assessments.models import EarlyWarning
    from assessments.tasks import send_early_warnings
    from tests import factories
    from tests.reminders import test_early_warning as warning_cases

    pointing = 0
    for i, case in enumerate(warning_cases.CASES):
        client = factories.client(business, name=f"Client {i}")
        verdict, _new = case(client, owner)
        pointing += verdict is not None
    send_early_warnings.delay()
    wait_for(lambda: len(_digests(celery_worker)) >= 1)
    # The records that point somewhere new (see the cases); one owner, one message.
    assert pointing >= 3
    assert EarlyWarning.objects.filter(business=business).count() == pointing
    assert len(_digests(celery_worker)) == 1

    result = send_early_warnings.delay()
    wait_for(lambda: "succeeded" in celery_worker.log.read_text().split(result.id)[-1])
    assert len(_digests(celery_worker)) == 1
    assert EarlyWarning.objects.count() == pointing
