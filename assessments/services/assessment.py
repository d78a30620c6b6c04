"""Writing a review: start or resume a draft, save each step, complete it once.

A completed assessment never changes: every write here locks the row, checks
that it is still a draft, and raises `PermissionDenied` if not. Completion takes
a snapshot of the evidence, the figures and the reasons as plain JSON, so the
verdict page reads the same whatever happens to the record later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, Business, User
from accounts.services import record_event
from assessments import evidence, scoring
from assessments.evidence import EvidenceInput, EvidenceReport
from assessments.models import Assessment, AssessmentAnswer, Client, EvidenceThresholds
from assessments.redflags import CATALOGUE

# Watch: look again in about three months unless the owner picks another date.
REVIEW_AFTER_DAYS = 90
# Keys for the next steps a snapshot keeps; an owner's own steps have none.
REVIEW_AGAIN_KEY = "review_again"
CONVERSATION_FIRST_KEY = "conversation_first"

CAUTION_TEXT: Promise = _(
    "This client brings in %(percent)s%% of your revenue, at or above your caution level of "
    "%(level)s%%. Line up replacement revenue before you act: a business that depends on "
    "one client is a house of cards."
)


def business_today(client: Client) -> date:
    return timezone.localdate(timezone=client.business.tzinfo)


def _locked(assessment: Assessment) -> Assessment:
    """The row, locked for this transaction, and still a draft (else PermissionDenied)."""
    locked = (
        Assessment.objects.select_for_update()
        .select_related("client__business")
        .get(pk=assessment.pk)
    )
    locked.ensure_editable()
    return locked


@transaction.atomic
def start_assessment(client: Client, *, user: User | None) -> tuple[Assessment, bool]:
    """The client's draft review, created if there is none: (assessment, created).

    One draft per client at a time: the client row is locked so two clicks on
    "Start a review" cannot make two drafts.
    """
    Client.objects.select_for_update().filter(pk=client.pk).first()
    draft = (
        Assessment.objects.filter(
            business_id=client.business_id, client=client, status=Assessment.Status.DRAFT
        )
        .order_by("-created", "-id")
        .first()
    )
    if draft is not None:
        return draft, False
    assessment = Assessment.objects.create(
        business_id=client.business_id,
        client=client,
        created_by=user,
        long_standing=client.long_standing,
    )
    return assessment, True


@transaction.atomic
def go_to_step(assessment: Assessment, step: int) -> Assessment:
    """Remember where the owner is, so "Resume review" brings them back there."""
    locked = _locked(assessment)
    locked.step = Assessment.Step(step)
    locked.save(update_fields=["step", "updated"])
    return locked


@transaction.atomic
def save_answers(
    assessment: Assessment,
    answers: Mapping[str, tuple[str, str]],
    *,
    proposed: Iterable[str],
) -> None:
    """Save the checklist: {flag key: (answer, note)} for every flag of the catalogue.

    `proposed` names the flags the evidence proposed (pre-filled as "yes").
    """
    locked = _locked(assessment)
    keys = {flag.key for flag in CATALOGUE}
    if set(answers) != keys:
        raise ValueError("the checklist answers every flag of the catalogue, no more, no less")
    for answer, _note in answers.values():
        scoring.Answer(answer)
    proposed = set(proposed)
    existing = {row.flag_key: row for row in locked.answers.all()}
    new, changed = [], []
    for key, (answer, note) in answers.items():
        row = existing.get(key)
        if row is None:
            new.append(
                AssessmentAnswer(
                    business_id=locked.business_id,
                    assessment=locked,
                    flag_key=key,
                    answer=answer,
                    note=note,
                    proposed=key in proposed,
                )
            )
        else:
            row.answer, row.note, row.proposed = answer, note, key in proposed
            changed.append(row)
    AssessmentAnswer.objects.bulk_create(new)
    AssessmentAnswer.objects.bulk_update(changed, ["answer", "note", "proposed"])
    locked.save(update_fields=["updated"])


@transaction.atomic
def save_weighing(
    assessment: Assessment, *, likelihood: str, long_standing: bool | None, note: str
) -> None:
    locked = _locked(assessment)
    locked.likelihood_of_change = scoring.Likelihood(likelihood) if likelihood else ""
    locked.long_standing = long_standing
    locked.weighing_note = note
    locked.save(update_fields=["likelihood_of_change", "long_standing", "weighing_note", "updated"])


@transaction.atomic
def save_verdict_draft(
    assessment: Assessment, *, review_on: date | None, extra_steps: list[str]
) -> None:
    """Keep what the owner typed on the verdict page while the review stays a draft."""
    locked = _locked(assessment)
    locked.review_on = review_on
    locked.next_steps = [{"custom": True, "text": text} for text in extra_steps]
    locked.save(update_fields=["review_on", "next_steps", "updated"])


def custom_steps(assessment: Assessment) -> list[str]:
    """The owner's own next steps kept on a draft."""
    return [
        str(step.get("text", ""))
        for step in assessment.next_steps or []
        if isinstance(step, dict) and step.get("custom")
    ]


@dataclass(frozen=True)
class Preview:
    """What the verdict would be now: the rules' decision plus the business's caution."""

    decision: scoring.Decision
    caution: bool
    caution_text: str
    next_steps: list[tuple[str, Promise]]


def answers_of(assessment: Assessment) -> dict[str, AssessmentAnswer]:
    return {row.flag_key: row for row in assessment.answers.all()}


def caution_text(data: EvidenceInput) -> str:
    """The concentration caution with this client's share and the business's level."""
    return str(CAUTION_TEXT) % {
        "percent": data.figures.share_percent or 0,
        "level": int((data.thresholds.concentration_share * 100).to_integral_value()),
    }


def _keyed_steps(decision: scoring.Decision) -> list[tuple[str, Promise]]:
    by_identity = {id(text): key for key, text in scoring.WATCH_NEXT_STEPS.items()}
    by_identity.update({id(text): key for key, text in scoring.ESCALATION_STEPS.items()})
    by_identity[id(scoring.REVIEW_AGAIN_STEP)] = REVIEW_AGAIN_KEY
    by_identity[id(scoring.CONVERSATION_FIRST_STEP)] = CONVERSATION_FIRST_KEY
    return [(by_identity.get(id(step), ""), step) for step in scoring.next_steps(decision)]


def preview(
    assessment: Assessment,
    answers: Mapping[str, AssessmentAnswer],
    data: EvidenceInput,
    report: EvidenceReport,
) -> Preview:
    """Apply the verdict rules to the saved answers. The caution uses the business's
    own concentration share (default 30%), so `decide` gets no share of its own."""
    if not assessment.likelihood_of_change:
        raise ValidationError(_("Say how likely the situation is to change first."))
    if assessment.long_standing is None:
        raise ValidationError(_("Say whether this is a long-standing relationship first."))
    # What each flag weighs comes from the evidence as it stands (severity, repetition,
    # size); a flag the record says nothing about weighs its tier.
    decision = scoring.decide(
        {key: row.answer for key, row in answers.items()},
        likelihood=assessment.likelihood_of_change,
        revenue_share=None,
        weighings={p.flag_key: p.weighing for p in report.proposals},
        long_standing=bool(assessment.long_standing),
    )
    return Preview(
        decision=decision,
        caution=report.caution,
        caution_text=caution_text(data) if report.caution else "",
        next_steps=_keyed_steps(decision),
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def figures_snapshot(data: EvidenceInput) -> dict[str, Any]:
    f, s = data.figures, data.figures.summary
    return {
        "today": f.today.isoformat(),
        "currency": data.currency,
        "revenue": _money(s.revenue),
        "cost": _money(s.cost),
        "expenses": _money(s.expenses),
        "profit": _money(s.profit),
        "business_revenue": _money(f.business_revenue),
        "share": _money(f.share),
        "share_percent": f.share_percent,
        "open_balance": _money(s.open_balance),
        "overdue_balance": _money(s.overdue_balance),
        "invoices": s.invoices,
        "late_invoices": s.late_invoices,
        "disputed_invoices": s.disputed_invoices,
        "avg_days_late": s.avg_days_late,
        "worst_days_late": s.worst_days_late,
        "unbilled_hours": str(s.unbilled_hours),
        "incidents_12m": dict(f.incidents_12m),
        "incidents_90d": dict(f.incidents_90d),
        "out_of_hours_90d": f.out_of_hours_90d,
    }


def _reasons(
    decision: scoring.Decision, answers: Mapping[str, AssessmentAnswer], report: EvidenceReport
) -> list[dict[str, Any]]:
    deciding = {flag.key for flag in decision.deciding}
    by_flag = report.by_flag
    reasons = []
    for flag, answer in [(f, "yes") for f in decision.confirmed] + [
        (f, "unsure") for f in decision.unsure
    ]:
        proposal = by_flag.get(flag.key)
        weighing = decision.weighings.get(flag.key) or (
            proposal.weighing if proposal else scoring.Weighing(scoring.default_weight(flag))
        )
        reasons.append(
            {
                "flag": flag.key,
                "answer": answer,
                "weight": weighing.weight.value,
                "escalated": weighing.weight.value != flag.tier.value,
                "note": answers[flag.key].note,
                "deciding": flag.key in deciding,
                "proposed": answers[flag.key].proposed,
                "facts": [fact.to_json() for fact in proposal.facts] if proposal else [],
            }
        )
    return reasons


@transaction.atomic
def complete_assessment(
    assessment: Assessment,
    *,
    review_on: date | None = None,
    extra_steps: Iterable[str] = (),
    today: date | None = None,
) -> Assessment:
    """Decide, snapshot and close the review, all at once or not at all.

    Watch gets a date to look again (default in 90 days) and next steps; Fire
    gets "act no earlier than" = today + the business's cooling-off period and
    moves the client to "under review" unless it is already leaving.
    Raises PermissionDenied if it is already complete, ValidationError if a step
    is missing.
    """
    locked = _locked(assessment)
    client = locked.client
    answers = answers_of(locked)
    if len(answers) != len(CATALOGUE):
        raise ValidationError(_("Answer the checklist first."))
    today = today or business_today(client)
    data = evidence.gather(client, today=today)
    report = evidence.build_report(data)
    result = preview(locked, answers, data, report)
    decision = result.decision

    locked.status = Assessment.Status.COMPLETE
    locked.completed_at = timezone.now()
    locked.verdict = decision.verdict
    locked.rule = decision.rule
    locked.rule_text = str(decision.rule_text)
    locked.reasons = _reasons(decision, answers, report)
    locked.next_steps = [{"flag": key, "text": str(text)} for key, text in result.next_steps] + [
        {"custom": True, "text": text} for text in extra_steps if text.strip()
    ]
    locked.evidence_snapshot = evidence.snapshot(data, report)
    locked.figures_snapshot = figures_snapshot(data)
    locked.concentration_caution = result.caution_text
    locked.revenue_share = data.figures.share
    locked.review_on = None
    locked.act_not_before = None
    if decision.verdict == scoring.Verdict.WATCH:
        locked.review_on = review_on or today + timedelta(days=REVIEW_AFTER_DAYS)
    elif decision.verdict == scoring.Verdict.FIRE:
        # The plan takes over; only a conversation first (long-standing) and the owner's
        # own steps stay.
        locked.next_steps = [
            s
            for s in locked.next_steps
            if s.get("custom") or s.get("flag") == CONVERSATION_FIRST_KEY
        ]
        locked.act_not_before = today + timedelta(days=client.business.cooling_off_days)
        leaving = {Client.Status.OFFBOARDING, Client.Status.OFFBOARDED}
        if client.status not in leaving:
            client.status = Client.Status.UNDER_REVIEW
            client.save(update_fields=["status"])
    locked.save()
    return locked


@transaction.atomic
def save_thresholds(business: Business, values: Mapping[str, Any], *, request=None) -> None:
    """Save the business's evidence thresholds (the row is made on the first save) and
    note the change in the security log, as for the other business settings."""
    row, _created = EvidenceThresholds.objects.select_for_update().get_or_create(business=business)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    if changed:
        record_event(
            business,
            AuditEvent.Kind.SETTINGS_CHANGED,
            request=request,
            detail="evidence thresholds: " + ", ".join(changed),
        )
