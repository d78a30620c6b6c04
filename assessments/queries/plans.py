"""What an offboarding plan needs to know, read from the record (no writes).

The plan form, the plan page, the PDF and the demo all start from `load_situation()`;
it lives on the read side so that the PDF renderer depends on it without reaching the
services that queue the PDF (dependencies point one way: tasks -> pdf -> queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from assessments.models import (
    AbuseFlag,
    Assessment,
    AssessmentAnswer,
    Delivery,
    Incident,
    Invoice,
)
from assessments.plan import (
    DeliveryLine,
    IncidentLine,
    InvoiceLine,
    PlanSituation,
    reasons_from_snapshot,
)

INCIDENT_WINDOW_DAYS = 365


def business_today(business) -> date:
    return timezone.localdate(timezone=business.tzinfo)


def load_situation(
    assessment: Assessment, *, today: date | None = None, with_incidents: bool = True
) -> PlanSituation:
    """What the plan rules need about the assessment's client, in five queries.

    `with_incidents=False` skips the incidents and deliveries (the letter's dates and the
    defaults need them; the plan page, which shows the saved choices, does not)."""
    client = assessment.client
    business = assessment.business
    confirmed = AssessmentAnswer.objects.filter(
        assessment=assessment, answer=AssessmentAnswer.Answer.YES
    ).values_list("flag_key", flat=True)
    invoices = Invoice.objects.filter(business=business, client=client).order_by("issued_on", "id")
    abuse = AbuseFlag.objects.open().filter(business=business, contact__client=client).exists()
    today = today or business_today(business)
    # The letter cites dates from the last 12 months, as the evidence rules count them.
    since = today - timedelta(days=INCIDENT_WINDOW_DAYS)
    incidents = (
        Incident.objects.filter(business=business, client=client, occurred_at__date__gte=since)
        .order_by("occurred_at", "id")
        .values_list("number", "category", "occurred_at", "delivery_id", "delivery__delivered_on")
        if with_incidents
        else ()
    )
    deliveries = (
        Delivery.objects.filter(business=business, client=client, delivered_on__gte=since)
        .order_by("delivered_on", "id")
        .values_list("id", "delivered_on")
        if with_incidents
        else ()
    )
    tz = business.tzinfo
    return PlanSituation(
        verdict=assessment.verdict,
        reasons=reasons_from_snapshot(assessment.reasons, list(confirmed)),
        today=today,
        notice_period_days=business.notice_period_days,
        act_not_before=assessment.act_not_before,
        invoices=tuple(
            InvoiceLine(
                i.pk,
                i.number,
                i.amount,
                i.issued_on,
                i.due_on,
                i.paid_on,
                disputed=i.disputed,
                discount_pushed=i.discount_pushed,
            )
            for i in invoices
        ),
        has_written_contract=client.has_written_contract,
        contract_terms=client.contract_terms,
        abuse_on_record=abuse,
        incidents=tuple(
            IncidentLine(number, category, timezone.localdate(at, tz), delivery, delivered)
            for number, category, at, delivery, delivered in incidents
        ),
        deliveries=tuple(DeliveryLine(pk, on) for pk, on in deliveries),
        client_since=client.client_since,
        contract_notice_days=client.contract_notice_days,
        has_termination_clause=client.has_termination_clause,
    )


@dataclass(frozen=True)
class Decided:
    """What the verdict page decided, for the plan page and the PDF to repeat."""

    caution: str  # the revenue-concentration caution, with its replacement-revenue advice
    owner_steps: tuple[str, ...]  # the owner's own next steps, typed on the verdict page
    watch_steps: tuple[str, ...]  # for Watch: the steps the rules gave
    contact_hours: str  # the business's own contact hours, for the Watch steps


def contact_hours(business) -> str:
    """ "Monday, Tuesday, Wednesday, Thursday and Friday, 09:00 to 17:30"."""
    days = [str(WEEKDAYS[d]) for d in sorted(business.contact_weekdays())]
    if not days:
        return ""
    named = (
        days[0]
        if len(days) == 1
        else _("%(list)s and %(last)s")
        % {
            "list": ", ".join(days[:-1]),
            "last": days[-1],
        }
    )
    return _("%(days)s, %(start)s to %(end)s") % {
        "days": named,
        "start": business.contact_hours_start.strftime("%H:%M"),
        "end": business.contact_hours_end.strftime("%H:%M"),
    }


def decided(assessment: Assessment, business=None) -> Decided:
    """`business` saves a query where the caller has it (the request's business)."""
    steps = [s for s in assessment.next_steps or [] if isinstance(s, dict) and s.get("text")]
    watch = assessment.verdict == Assessment.Verdict.WATCH
    return Decided(
        caution=" ".join((assessment.concentration_caution or "").split()),
        owner_steps=tuple(str(s["text"]) for s in steps if s.get("custom")),
        watch_steps=tuple(str(s["text"]) for s in steps if watch and not s.get("custom")),
        contact_hours=contact_hours(business or assessment.business) if watch else "",
    )
