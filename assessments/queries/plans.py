"""What an offboarding plan needs to know, read from the record (no writes).

The plan form, the plan page, the PDF and the demo all start from `load_situation()`;
it lives on the read side so that the PDF renderer depends on it without reaching the
services that queue the PDF (dependencies point one way: tasks -> pdf -> queries).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from assessments.models import AbuseFlag, Assessment, AssessmentAnswer, Incident, Invoice
from assessments.plan import IncidentLine, InvoiceLine, PlanSituation, reasons_from_snapshot

INCIDENT_WINDOW_DAYS = 365


def business_today(business) -> date:
    return timezone.localdate(timezone=business.tzinfo)


def load_situation(assessment: Assessment, *, today: date | None = None) -> PlanSituation:
    """What the plan rules need about the assessment's client, in four queries."""
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
        .values_list("number", "category", "occurred_at")
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
            IncidentLine(number, category, timezone.localdate(at, tz))
            for number, category, at in incidents
        ),
        client_since=client.client_since,
        contract_notice_days=client.contract_notice_days,
        has_termination_clause=client.has_termination_clause,
    )
