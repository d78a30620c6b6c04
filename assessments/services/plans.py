"""Offboarding plans: saving the owner's choices, queueing the PDF, storing it, acting on it.

Called by the plan views, the build task, the sweep (Celery beat and the
`requeue_plans` command) and the demo alike.

Queueing never blocks a page: the task is published after the transaction commits,
and a broker that is down (Redis stopped) only leaves the plan *pending*, with a log
line; `requeue_stale_plans()` publishes it again once the broker is back. The build
task is idempotent, so a plan published twice still ends with one file.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import Assessment, Client, OffboardingPlan, ReferralPartner
from assessments.plan import day
from assessments.queries.plans import business_today, load_situation
from assessments.services.plan_files import plan_file_name, store_plan_file
from assessments.tasks import enqueue_build, publish_build, requeue_stale_plans, stale_plans

# Re-exported: callers (views, commands, tests) reach the plan's whole lifecycle here.
__all__ = [
    "business_today",
    "load_situation",
    "plan_file_name",
    "publish_build",
    "requeue_stale_plans",
    "stale_plans",
    "store_plan_file",
]

Status = OffboardingPlan.Status
PLANNABLE_VERDICTS = (Assessment.Verdict.FIRE, Assessment.Verdict.WATCH)
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
