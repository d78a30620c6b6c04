"""The evidence rules in plain words, for the help page, with a business's thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessments.evidence.inputs import Thresholds
from assessments.evidence.rules import whole

# Plain words for the help page, one per rule; filled with the business's thresholds.
DESCRIPTIONS: Mapping[str, Promise] = MappingProxyType(
    {
        "abuse_incidents": _(
            "Any incident of physical abuse or a threat, however long ago: a deal-breaker "
            "(it never expires; the evidence says how long ago). Shouting, name-calling or "
            "belittling remarks: a first one of low or medium severity is a serious flag, "
            "with the step “tell them once, in writing, that it must stop”; a second, or one "
            "of high or critical severity, is a deal-breaker. An open abuse flag on one of "
            "the client's contacts proposes verbal abuse too."
        ),
        "lying_incidents": _(
            "Two incidents of lying or twisting an agreement, however far apart, or one of "
            "high or critical severity."
        ),
        "unethical_incidents": _(
            "Any request for something unethical, however long ago: a first one of low "
            "severity is a serious flag (refuse in writing); a second, or a worse one, is a "
            "deal-breaker."
        ),
        "legal_incidents": _(
            "Any incident that could cause legal trouble, however long ago: a first one of "
            "low severity is a serious flag (take advice); a second, or a worse one, is a "
            "deal-breaker."
        ),
        "out_of_hours_and_demands": _(
            "%(out_of_hours_90_days)s or more contacts outside agreed hours in the last 90 "
            "days; or complaints, out-of-scope requests and unreasonable demands counted "
            "together (extras billed to the client never count), mostly requests: "
            "%(complaints_90_days)s or more in 90 days is a moderate flag, "
            "%(demands_serious_90_days)s or more a serious one."
        ),
        "late_payment": _(
            "Invoices paid or overdue are on average %(late_average_days)s or more days late, "
            "or any invoice is %(late_severe_days)s or more days late. It counts as two "
            "serious flags when the money overdue is %(overdue_percent)s%% or more of the "
            "client's revenue over 12 months."
        ),
        "disputes_and_discounts": _(
            "%(disputed_percent)s%% or more of invoices disputed, discounts pushed for on "
            "%(discounts_count)s or more invoices after agreeing a price, or two or more "
            "payment disputes logged in 12 months."
        ),
        "unprofitable": _(
            "The cost to serve (time and expenses) over 12 months is %(cost_percent)s%% of "
            "revenue or more; at %(major_cost_percent)s%% or more it counts as two serious "
            "flags."
        ),
        "competitor_incidents": _(
            "Any incident of playing you against a competitor in the last 12 months."
        ),
        "reputation_incidents": _("Any threat to your reputation in the last 12 months."),
        "scope_changes": _(
            "%(scope_changes_90_days)s or more changes of mind or scope in the last 90 days "
            "(extras billed to the client never count), unless the client is billed by the "
            "hour; with the billing model not recorded, the checklist asks you."
        ),
        "ignored_advice_incidents": _(
            "Two or more incidents of ignored advice in the last 12 months."
        ),
        "complaints": _(
            "Complaints, out-of-scope requests and unreasonable demands counted together, "
            "mostly complaints: %(complaints_90_days)s or more in the last 90 days is a "
            "moderate flag, %(demands_serious_90_days)s or more a serious one."
        ),
        "no_referrals": _(
            "No referral in %(no_referrals_after_years)s or more years as a client; with "
            "referrals not recorded, the checklist asks you."
        ),
    }
)


def describe(rule_key: str, thresholds: Thresholds) -> str:
    """One rule in plain words with this business's thresholds."""
    values: dict[str, Any] = {**thresholds.to_json()}
    values["disputed_percent"] = whole(float(thresholds.disputed_share * 100))
    values["cost_percent"] = whole(float(thresholds.cost_to_revenue_ratio * 100))
    values["major_cost_percent"] = whole(float(thresholds.major_cost_ratio * 100))
    values["overdue_percent"] = whole(float(thresholds.major_overdue_share * 100))
    return str(DESCRIPTIONS[rule_key]) % values
