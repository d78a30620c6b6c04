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
            "Any incident of abuse, harassment or threats in the last 12 months (a threat "
            "counts for both physical and verbal abuse); for verbal abuse, also an open abuse "
            "flag on one of the client's contacts."
        ),
        "lying_incidents": _(
            "Two incidents of lying or twisting an agreement in the last 12 months, or one "
            "of high or critical severity."
        ),
        "unethical_incidents": _("Any request for something unethical in the last 12 months."),
        "legal_incidents": _("Any incident that could cause legal trouble in the last 12 months."),
        "out_of_hours_and_demands": _(
            "%(out_of_hours_90_days)s or more contacts outside agreed hours in the last 90 "
            "days, or two or more unreasonable demands or out-of-scope requests."
        ),
        "late_payment": _(
            "Invoices paid or overdue are on average %(late_average_days)s or more days late, "
            "or any invoice is %(late_severe_days)s or more days late."
        ),
        "disputes_and_discounts": _(
            "%(disputed_percent)s%% or more of invoices disputed, discounts pushed for on "
            "%(discounts_count)s or more invoices after agreeing a price, or two or more "
            "payment disputes logged in 12 months."
        ),
        "unprofitable": _(
            "The cost to serve over 12 months is %(cost_percent)s%% of revenue or more."
        ),
        "competitor_incidents": _(
            "Any incident of playing you against a competitor in the last 12 months."
        ),
        "reputation_incidents": _("Any threat to your reputation in the last 12 months."),
        "scope_changes": _(
            "%(scope_changes_90_days)s or more changes of mind or scope in the last 90 days, "
            "unless the client is billed by the hour."
        ),
        "ignored_advice_incidents": _(
            "Two or more incidents of ignored advice in the last 12 months."
        ),
        "complaints": _("%(complaints_90_days)s or more complaints in the last 90 days."),
        "no_referrals": _("No referral in %(no_referrals_after_years)s or more years as a client."),
    }
)


def describe(rule_key: str, thresholds: Thresholds) -> str:
    """One rule in plain words with this business's thresholds."""
    values: dict[str, Any] = {**thresholds.to_json()}
    values["disputed_percent"] = whole(float(thresholds.disputed_share * 100))
    values["cost_percent"] = whole(float(thresholds.cost_to_revenue_ratio * 100))
    return str(DESCRIPTIONS[rule_key]) % values
