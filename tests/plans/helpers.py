"""Builders for plan tests: a completed assessment made directly with the model, as the
assessment service would leave it (status complete, verdict, reasons snapshot, answers)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from assessments.models import AbuseFlag, Assessment, AssessmentAnswer, ReferralPartner
from tests import factories


def reason(flag: str, title: str, tier: str, *facts: str) -> dict:
    return {
        "flag": flag,
        "title": title,
        "tier": tier,
        "facts": [{"text": f, "links": []} for f in facts],
    }


SLOW = reason(
    "slow_to_pay",
    "Consistently slow to pay",
    "Serious",
    "Paid 6 invoices on average 47 days late; 2 were more than 90 days late.",
)
UNPROFITABLE = reason(
    "not_profitable",
    "Not profitable",
    "Serious",
    "Revenue 12,000 against 24,000 cost to serve over 12 months.",
)
COMPLAINS = reason(
    "complains",
    "Constantly complains",
    "Moderate",
    "You contacted us after each of the last five deliveries to say you were unhappy.",
    "5 complaints in the last 90 days.",
)
ABUSE = reason(
    "verbal_abuse",
    "Verbally abusive or harassing",
    "Deal-breaker",
    "Contact Ivan shouted at our designer and called her names on 3 March (incident 14).",
)


def completed_assessment(
    client,
    *,
    verdict: str = "fire",
    reasons: list[dict] | None = None,
    act_not_before=None,
    cooling_off: bool = False,
) -> Assessment:
    reasons = [SLOW, UNPROFITABLE, COMPLAINS] if reasons is None else reasons
    today = timezone.localdate()
    if act_not_before is None and verdict == "fire":
        act_not_before = today + timedelta(days=3) if cooling_off else today - timedelta(days=1)
    assessment = Assessment.objects.create(
        business=client.business,
        client=client,
        status=Assessment.Status.COMPLETE,
        step=Assessment.Step.VERDICT,
        verdict=verdict,
        rule="serious_combination",
        rule_text="Two or more serious flags means Fire.",
        reasons=reasons,
        completed_at=timezone.now() - timedelta(days=4),
        act_not_before=act_not_before,
        likelihood_of_change="unlikely",
    )
    for item in reasons:
        AssessmentAnswer.objects.create(
            business=client.business, assessment=assessment, flag_key=item["flag"], answer="yes"
        )
    return assessment


def partner(business, **overrides) -> ReferralPartner:
    fields = {
        "name": "Nordic Design Co.",
        "speciality": "full-size agency",
        "contact": "hello@nordic.test",
    }
    fields.update(overrides)
    return ReferralPartner.objects.create(business=business, **fields)


def paid_invoice(client, amount="1200.00", days_ago=40, **overrides):
    issued = timezone.localdate() - timedelta(days=days_ago + 30)
    return factories.invoice(
        client,
        issued_on=issued,
        due_on=issued + timedelta(days=30),
        paid_on=issued + timedelta(days=35),
        amount=Decimal(amount),
        **overrides,
    )


def open_invoice(client, amount="800.00", due_in_days=20, **overrides):
    due = timezone.localdate() + timedelta(days=due_in_days)
    return factories.invoice(
        client, issued_on=due - timedelta(days=30), due_on=due, amount=Decimal(amount), **overrides
    )


def flag_abuse(client, contact=None, by=None) -> AbuseFlag:
    contact = contact or factories.contact(client, name="Иван Петров")
    return AbuseFlag.objects.create(
        business=client.business, contact=contact, reason="Shouted at staff.", raised_by=by
    )


def plan_post(**overrides) -> dict:
    """A valid POST for the plan form (non-safety; the caller adds a partner or kind)."""
    data = {
        "reason_flag": "slow_to_pay",
        "reason_fact": "Six of your last invoices were paid late.",
        "goodwill": "none",
        "goodwill_invoice": "",
        "goodwill_amount": "",
        "apology": "on",
        "provider_kind": "a larger agency with a finance team",
        "notice_kind": "days",
        "notice_days": "30",
        "work_ends_on": "",
        "method": "in_person",
        "witness": "",
        "announce_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "private_notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
