"""Offboarding plans: saving the owner's choices, queueing the PDF, storing it, acting on it.

Called by the plan views, the build task, the sweep (Celery beat and the
`requeue_plans` command) and the demo alike.

Queueing never blocks a page: the task is published after the transaction commits,
and a broker that is down (Redis stopped) only leaves the plan *pending*, with a log
line; `requeue_stale_plans()` publishes it again once the broker is back. The build
task is idempotent, so a plan published twice still ends with one file.
"""

from __future__ import annotations

import logging
import os
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import (
    AbuseFlag,
    Assessment,
    AssessmentAnswer,
    Client,
    Invoice,
    OffboardingPlan,
    ReferralPartner,
)
from assessments.plan import InvoiceLine, PlanSituation, day, reasons_from_snapshot

log = logging.getLogger(__name__)

Status = OffboardingPlan.Status
PLANNABLE_VERDICTS = (Assessment.Verdict.FIRE, Assessment.Verdict.WATCH)
# A pending plan is published again when nobody has picked it up for this long.
REQUEUE_PENDING_AFTER = timedelta(seconds=60)
# Fields of OffboardingPlan the form sets directly.
CHOICE_FIELDS = (
    "reason_flag",
    "reason_fact",
    "goodwill",
    "goodwill_amount",
    "apology",
    "provider_kind",
    "notice_kind",
    "notice_days",
    "work_ends_on",
    "method",
    "witness",
    "announce_on",
    "private_notes",
)


class PlanStateError(Exception):
    """An action the plan's state does not allow; the message is for the owner."""


class CoolingOffError(PlanStateError):
    """Finalising is refused until the cooling-off period after the verdict is over."""

    def __init__(self, until: date):
        self.until = until
        super().__init__(
            _("The cooling-off period runs until %(date)s: finalise the plan on that day or later.")
            % {"date": day(until)}
        )


def business_today(business) -> date:
    return timezone.localdate(timezone=business.tzinfo)


def load_situation(assessment: Assessment, *, today: date | None = None) -> PlanSituation:
    """What the plan rules need about the assessment's client, in three queries."""
    client = assessment.client
    business = assessment.business
    confirmed = AssessmentAnswer.objects.filter(
        assessment=assessment, answer=AssessmentAnswer.Answer.YES
    ).values_list("flag_key", flat=True)
    invoices = Invoice.objects.filter(business=business, client=client).order_by("issued_on", "id")
    abuse = AbuseFlag.objects.open().filter(business=business, contact__client=client).exists()
    return PlanSituation(
        verdict=assessment.verdict,
        reasons=reasons_from_snapshot(assessment.reasons, list(confirmed)),
        today=today or business_today(business),
        notice_period_days=business.notice_period_days,
        act_not_before=assessment.act_not_before,
        invoices=tuple(
            InvoiceLine(i.pk, i.number, i.amount, i.issued_on, i.due_on, i.paid_on)
            for i in invoices
        ),
        has_written_contract=client.has_written_contract,
        contract_terms=client.contract_terms,
        abuse_on_record=abuse,
    )


def _apply_choices(plan: OffboardingPlan, choices: dict) -> None:
    for name in CHOICE_FIELDS:
        if name in choices:
            setattr(plan, name, choices[name])
    plan.goodwill_invoice_id = choices.get("goodwill_invoice")


def _mark_pending(plan: OffboardingPlan) -> None:
    plan.status = Status.PENDING
    plan.enqueued_at = timezone.now()
    plan.last_error = ""


@transaction.atomic
def create_plan(
    *, assessment: Assessment, choices: dict, partners, user: User | None
) -> OffboardingPlan:
    """Save a plan for a completed Fire or Watch assessment and queue its PDF.

    `choices` is the form's cleaned data (checked by `assessments.plan.check_choices`);
    `partners` are ReferralPartner rows of the same business.
    """
    if assessment.status != Assessment.Status.COMPLETE or (
        assessment.verdict not in PLANNABLE_VERDICTS
    ):
        raise PlanStateError(_("Only a completed Fire or Watch assessment gets a plan."))
    plan = OffboardingPlan(
        business=assessment.business,
        client=assessment.client,
        assessment=assessment,
        created_by=user,
    )
    _apply_choices(plan, choices)
    _mark_pending(plan)
    plan.save()
    plan.partners.set(_own_partners(plan, partners))
    enqueue_build(plan.pk)
    return plan


@transaction.atomic
def update_plan(plan: OffboardingPlan, *, choices: dict, partners) -> OffboardingPlan:
    """Change the choices of a plan not yet acted on, and build its PDF again."""
    plan = OffboardingPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.exit_recorded_at:
        raise PlanStateError(_("The exit is recorded: this plan no longer changes."))
    _apply_choices(plan, choices)
    _mark_pending(plan)
    plan.save()
    plan.partners.set(_own_partners(plan, partners))
    enqueue_build(plan.pk)
    return plan


def _own_partners(plan: OffboardingPlan, partners) -> list[ReferralPartner]:
    # The form already limits the choice; this keeps a service caller honest too.
    partners = list(partners or ())
    own = [p for p in partners if p.business_id == plan.business_id]
    if len(own) != len(partners):
        raise ValueError("a referral partner belongs to another business")
    return own


@transaction.atomic
def request_rebuild(plan: OffboardingPlan) -> OffboardingPlan:
    """Build the PDF again (after a failure, or once cooling-off is over)."""
    plan = OffboardingPlan.objects.select_for_update().get(pk=plan.pk)
    _mark_pending(plan)
    plan.save(update_fields=["status", "enqueued_at", "last_error", "updated"])
    enqueue_build(plan.pk)
    return plan


# Errors that mean "the broker is unreachable", raised by kombu/redis while publishing.
def _publish_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def publish_build(plan_id: int) -> bool:
    """Publish the build task now; False (logged) when the broker cannot be reached."""
    from assessments.tasks import build_plan_pdf

    try:
        build_plan_pdf.delay(plan_id)
    except _publish_errors() as exc:
        log.warning("Plan %s stays pending: the task broker is unreachable (%s)", plan_id, exc)
        return False
    return True


def enqueue_build(plan_id: int) -> None:
    """Like `build_plan_pdf.delay_on_commit(plan_id)`, but a broker outage is logged,
    not raised: the page that saved the plan still answers and the sweep retries."""
    transaction.on_commit(lambda: publish_build(plan_id))


def stale_plans(now: datetime | None = None):
    """Plans nobody is building: pending and not picked up for a minute, or processing
    for longer than a task may run (its worker was killed)."""
    now = now or timezone.now()
    killed_after = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return OffboardingPlan.objects.filter(
        Q(status=Status.PENDING)
        & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_PENDING_AFTER))
        | Q(status=Status.PROCESSING, updated__lt=now - killed_after)
    )


def requeue_stale_plans(now: datetime | None = None) -> int:
    """Publish the build task again for every stale plan; returns how many were published.

    Safe to run at any time and from several places: the task does nothing for a plan
    that is already ready, and `enqueued_at` moves on so the next sweep waits again.
    """
    now = now or timezone.now()
    published = 0
    for plan_id in stale_plans(now).values_list("pk", flat=True):
        # Both clocks restart, so the next sweep gives this publication its full time.
        OffboardingPlan.objects.filter(pk=plan_id).update(enqueued_at=now, updated=now)
        published += publish_build(plan_id)
    return published


def plan_file_name(plan: OffboardingPlan) -> str:
    """One name per plan, so that building it twice replaces the file instead of adding one."""
    return f"plans/{plan.business_id}/plan-{plan.pk}.pdf"


class _MovableFile(File):
    # FileSystemStorage moves a file that has a temporary path instead of copying it;
    # other storages (S3) upload it like any file.
    def temporary_file_path(self) -> str:
        return self.file.name


def store_plan_file(plan_id: int, path: str, *, enqueued_at: datetime | None = None) -> str | None:
    """Move the rendered PDF at `path` into storage under the plan's name; mark it READY.

    Two builds of the same plan racing each other still leave exactly one file: the
    later one finds the plan ready and removes whatever it saved under another name.
    `enqueued_at` is the plan's value when this build began: if the plan was queued
    again since (its choices changed mid-build), it stays pending for the newer build
    and None is returned; otherwise the stored file's name.
    """
    plan = OffboardingPlan.objects.get(pk=plan_id)
    name = plan_file_name(plan)
    if default_storage.exists(name):
        default_storage.delete(name)
    with open(path, "rb") as handle:
        saved = default_storage.save(name, _MovableFile(handle, name=os.path.basename(name)))
    with transaction.atomic():
        plan = OffboardingPlan.objects.select_for_update().get(pk=plan_id)
        if plan.status == Status.READY and plan.file and plan.file.name != saved:
            default_storage.delete(saved)
            return plan.file.name
        if enqueued_at is not None and plan.enqueued_at != enqueued_at:
            return None  # superseded: the build queued after this one writes the same name
        previous = plan.file.name if plan.file else ""
        plan.file.name = saved
        plan.status = Status.READY
        plan.built_at = timezone.now()
        plan.last_error = ""
        plan.save(update_fields=["file", "status", "built_at", "last_error", "updated"])
    if previous and previous != saved and default_storage.exists(previous):
        default_storage.delete(previous)
    return saved


@transaction.atomic
def finalise_plan(plan: OffboardingPlan) -> OffboardingPlan:
    """The owner acts on the plan: the client moves to *offboarding*.

    Refused while the assessment's cooling-off runs. A PDF built during cooling-off
    says DRAFT on every page, so it is built again without the mark.
    """
    plan = OffboardingPlan.objects.select_for_update().select_related("assessment").get(pk=plan.pk)
    if plan.finalised_at:
        raise PlanStateError(_("This plan is already final."))
    today = business_today(plan.business)
    ends = plan.assessment.act_not_before
    if ends and today < ends:
        raise CoolingOffError(ends)
    plan.finalised_at = timezone.now()
    plan.save(update_fields=["finalised_at", "updated"])
    Client.objects.filter(pk=plan.client_id).exclude(status=Client.Status.OFFBOARDED).update(
        status=Client.Status.OFFBOARDING
    )
    built_on = plan.built_at and timezone.localdate(plan.built_at, plan.business.tzinfo)
    if ends and (not built_on or built_on < ends) and plan.status != Status.PENDING:
        request_rebuild(plan)
    return plan


@transaction.atomic
def record_exit(plan: OffboardingPlan) -> OffboardingPlan:
    """The relationship has ended: the client is *offboarded* (no new invoices or time)."""
    plan = OffboardingPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.finalised_at:
        raise PlanStateError(_("Finalise the plan before recording the exit."))
    if plan.exit_recorded_at:
        raise PlanStateError(_("The exit is already recorded."))
    plan.exit_recorded_at = timezone.now()
    plan.save(update_fields=["exit_recorded_at", "updated"])
    Client.objects.filter(pk=plan.client_id).update(
        status=Client.Status.OFFBOARDED, offboarded_on=business_today(plan.business)
    )
    return plan
