"""The evidence rules: pure functions from an `EvidenceInput` to proposed red flags.

One function per `evidence_rule` key of the catalogue. Each returns the flags it
has facts for; a `Proposal` meets its threshold or it is listed as context only
(the facts are shown, the checklist is not pre-filled with "yes"). Thresholds an
owner can change come from `EvidenceThresholds` (defaults explained there and
repeated next to each rule here); the few fixed ones are constants below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from assessments import scoring
from assessments.evidence.facts import Fact, Link, money_param
from assessments.evidence.inputs import (
    RECENT_DAYS,
    WINDOW_DAYS,
    EvidenceInput,
    IncidentRef,
    Thresholds,
    links,
)
from assessments.figures.definitions import DEAL_BREAKER_CATEGORIES
from assessments.redflags import INCIDENT_CATEGORY_FLAGS, RedFlag, get_flag

# Fixed thresholds (not owner-editable: they follow from the articles, not from taste).
# Deal-breakers need no second flag, and their incidents never age out: "an apology
# does not undo it: what matters is that it happened". Severity and repetition decide
# how much one weighs:
# - physical abuse and threats: one incident, any severity, is a deal-breaker;
# - shouting, name-calling, belittling remarks: a first one of low or medium severity
#   is a serious flag with the step "tell them once, in writing" (the catalogue's own
#   advice); a second, or any of high or critical severity, is a deal-breaker;
# - an unethical request or a legal risk: a first one of low severity is a serious
#   flag (refuse in writing / take advice); a second, or medium or worse, a deal-breaker;
# - dishonesty, "a record of trying to fool you" (002): two incidents, or one serious.
DEAL_BREAKER_INCIDENTS = 1
LYING_INCIDENTS = 2
REPEAT_INCIDENTS = 2
SERIOUS_SEVERITIES = frozenset({"high", "critical"})
MILD_ABUSE_SEVERITIES = frozenset({"low", "medium"})
MILD_RISK_SEVERITIES = frozenset({"low"})
# Incident categories of the deal-breakers: counted over the whole record.
NEVER_EXPIRE = DEAL_BREAKER_CATEGORIES
# Complaints, out-of-scope requests and unreasonable demands are neighbours: the same
# conduct is logged under any of them, so they are counted together (extras billed to
# the client left out) and weigh the same whatever the category. The flag named is the
# one most of them were logged under; the count sets the weight (owner's thresholds).
DEMAND_REQUESTS = frozenset({"out_of_scope", "unreasonable_demand"})
DEMAND_POOL = DEMAND_REQUESTS | {"complaint"}
# Complaints that follow deliveries (003 #1: "you have contacted us after each of the
# last five deliveries to say you were unhappy"): of the client's last five deliveries
# in 12 months, those a complaint says it was about. Complaints after three of them, and
# after at least three in five, are a pattern (a moderate flag) however spread out in
# time; two are shown as context.
DELIVERIES_LOOKED_AT = 5
COMPLAINED_DELIVERIES = 3
COMPLAINED_DELIVERIES_SHARE = Decimal("0.6")
AFTER_DELIVERY = frozenset({"complaint"})
# Payment disputes logged as incidents in 12 months (disputed invoices count separately).
PAYMENT_DISPUTE_INCIDENTS = 2
# Renegotiating agreed work with a rival's quote, or threatening to go public: the
# behaviour itself is the flag, so one incident proposes it.
COMPETITOR_INCIDENTS = 1
REPUTATION_INCIDENTS = 1
# "Help put it right, then make sure it does not happen again": the second time proposes it.
IGNORED_ADVICE_INCIDENTS = 2


def categories_for(flag_key: str) -> frozenset[str]:
    """The incident categories that evidence a flag (from the catalogue's mapping)."""
    return frozenset(c for c, keys in INCIDENT_CATEGORY_FLAGS.items() if flag_key in keys)


@dataclass(frozen=True)
class Proposal:
    flag_key: str
    facts: tuple[Fact, ...]
    # False: the facts are context, below the threshold; the flag is not pre-filled.
    meets_threshold: bool
    # True: the rule needs something the record does not say (billing model, referrals
    # not recorded). The checklist starts the flag at "Not sure" and its facts say what
    # to check: a blank neither proposes nor suppresses a flag.
    asks: bool = False
    # What the flag weighs if confirmed (a `scoring.Weight` value); "" for its tier.
    weight: str = ""
    # A `scoring.ESCALATION_STEPS` key that replaces the flag's own step ("" for none).
    step: str = ""

    @property
    def weighing(self) -> scoring.Weighing:
        weight = scoring.Weight(self.weight) if self.weight else scoring.default_weight(self.flag)
        return scoring.Weighing(weight, self.step)

    @property
    def flag(self) -> RedFlag:
        return get_flag(self.flag_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "flag": self.flag_key,
            "meets_threshold": self.meets_threshold,
            "asks": self.asks,
            "weight": self.weight,
            "step": self.step,
            "facts": [fact.to_json() for fact in self.facts],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Proposal:
        return cls(
            flag_key=str(data["flag"]),
            facts=tuple(Fact.from_json(f) for f in data.get("facts", [])),
            meets_threshold=bool(data.get("meets_threshold")),
            asks=bool(data.get("asks")),
            weight=str(data.get("weight") or ""),
            step=str(data.get("step") or ""),
        )


def whole(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _incident_rule(
    flag_key: str,
    code: str,
    minimum: int | Callable[[Thresholds], int],
    days: int = WINDOW_DAYS,
) -> Callable[[EvidenceInput], list[Proposal]]:
    """A rule that counts one flag's incident categories over a window.

    `minimum` is a fixed count or reads it from the business's thresholds.
    """
    categories = categories_for(flag_key)

    def rule(data: EvidenceInput) -> list[Proposal]:
        count = data.count_90d(categories) if days == RECENT_DAYS else data.count_12m(categories)
        if not count:
            return []
        needed = minimum(data.thresholds) if callable(minimum) else minimum
        fact = Fact(code, {"count": count}, links(data.incidents_within(categories, days)))
        return [Proposal(flag_key, (fact,), count >= needed)]

    return rule


def _on_record(data: EvidenceInput, categories: Iterable[str]) -> list[IncidentRef]:
    """Every incident of these (deal-breaker) categories, however old, newest first."""
    wanted = set(categories)
    return [i for i in data.incidents if i.category in wanted]


def _latest_fact(data: EvidenceInput, related: list[IncidentRef]) -> Fact:
    """How long ago the latest of them happened: shown, because it never expires."""
    latest = related[0]
    months = months_between(latest.occurred_at.date(), data.today)
    params = {"count": months, "latest_date": latest.occurred_at.date().isoformat()}
    return Fact("incidents.latest", params, (latest.link(),))


def months_between(earlier, later) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(0, months)


def abuse_incidents(data: EvidenceInput) -> list[Proposal]:
    """Physical and verbal abuse over the whole record (they never expire), weighed by
    severity and repetition (see the constants above); an open abuse flag on a contact
    proposes verbal abuse too. A cleared flag is shown as context."""
    found = []
    physical = _on_record(data, categories_for("physical_abuse"))
    if physical:
        facts = (
            Fact("incidents.physical", {"count": len(physical)}, links(physical)),
            _latest_fact(data, physical),
        )
        found.append(Proposal("physical_abuse", facts, True))

    related = _on_record(data, categories_for("verbal_abuse"))
    facts = []
    weight, step = "", ""
    if related:
        facts.append(Fact("incidents.verbal", {"count": len(related)}, links(related)))
        facts.append(_latest_fact(data, related))
        threats = [i for i in related if i.category == "threat"]
        severe = [i for i in related if i.severity not in MILD_ABUSE_SEVERITIES]
        if threats or severe:
            facts.append(Fact("weight.abuse_severe", {"count": len(threats) + len(severe)}))
        elif len(related) >= REPEAT_INCIDENTS:
            facts.append(Fact("weight.abuse_repeated", {"count": len(related)}, links(related)))
        else:
            weight, step = scoring.Weight.SERIOUS.value, "verbal_abuse.warning"
            facts.append(Fact("weight.abuse_first", {}, links(related)))
    meets = bool(related)
    for flag in data.flags:
        facts.append(_flag_fact(flag))
        if flag.is_open:
            meets = True
            # A contact flagged abusive with no incident on record to show how mildly:
            # the staff member's judgement stands, at the flag's own weight.
            if not flag.incidents and not related:
                weight, step = "", ""
    if facts:
        found.append(Proposal("verbal_abuse", tuple(facts), meets, weight=weight, step=step))
    return found


def _flag_fact(flag) -> Fact:
    contact = Link("contact", flag.contact_id, flag.contact_name)
    params: dict[str, Any] = {
        "contact": flag.contact_name,
        "raised_date": flag.raised_at.date().isoformat(),
    }
    if not flag.is_open:
        params["cleared_date"] = flag.cleared_at.date().isoformat()
        return Fact("flags.cleared", params, (contact,))
    if not flag.incidents:
        return Fact("flags.open", params, (contact,))
    params["count"] = len(flag.incidents)
    params["numbers"] = ", ".join(str(number) for _, number in flag.incidents)
    incident_links = tuple(Link("incident", pk, str(n)) for pk, n in flag.incidents)
    return Fact("flags.open_incidents", params, (contact, *incident_links))


def lying_incidents(data: EvidenceInput) -> list[Proposal]:
    related = _on_record(data, categories_for("dishonest"))
    if not related:
        return []
    serious = [i for i in related if i.severity in SERIOUS_SEVERITIES]
    facts = [
        Fact("incidents.lying", {"count": len(related)}, links(related)),
        _latest_fact(data, related),
    ]
    if serious:
        facts.append(Fact("incidents.lying_serious", {"count": len(serious)}, links(serious)))
    return [Proposal("dishonest", tuple(facts), len(related) >= LYING_INCIDENTS or bool(serious))]


def _risk_rule(flag_key: str, code: str, step: str) -> Callable[[EvidenceInput], list[Proposal]]:
    """Unethical requests and legal risks, over the whole record: a first low-severity
    one weighs as serious (with its step), a second or a worse one as a deal-breaker."""
    categories = categories_for(flag_key)

    def rule(data: EvidenceInput) -> list[Proposal]:
        related = _on_record(data, categories)
        if not related:
            return []
        facts = [
            Fact(code, {"count": len(related)}, links(related)),
            _latest_fact(data, related),
        ]
        mild = all(i.severity in MILD_RISK_SEVERITIES for i in related)
        if mild and len(related) < REPEAT_INCIDENTS:
            facts.append(Fact("weight.risk_first", {}, links(related)))
            return [
                Proposal(
                    flag_key, tuple(facts), True, weight=scoring.Weight.SERIOUS.value, step=step
                )
            ]
        facts.append(Fact("weight.risk_repeated_or_severe", {"count": len(related)}))
        return [Proposal(flag_key, tuple(facts), True)]

    return rule


unethical_incidents = _risk_rule("unethical", "incidents.unethical", "unethical.refuse")
legal_incidents = _risk_rule("legal_liability", "incidents.legal", "legal_liability.guard")
competitor_incidents = _incident_rule(
    "plays_competitors", "incidents.competitor", COMPETITOR_INCIDENTS
)
reputation_incidents = _incident_rule(
    "reputation_threat", "incidents.reputation", REPUTATION_INCIDENTS
)
ignored_advice_incidents = _incident_rule(
    "ignores_advice", "incidents.ignored_advice", IGNORED_ADVICE_INCIDENTS
)


@dataclass(frozen=True)
class DemandPool:
    count: int
    requests: int
    # The flag that carries the pattern, and what it weighs ("" below the threshold).
    flag_key: str
    weight: str


def demand_pool(data: EvidenceInput) -> DemandPool:
    count = data.count_90d(DEMAND_POOL)
    requests = data.count_90d(DEMAND_REQUESTS)
    t = data.thresholds
    if count >= max(t.demands_serious_90_days, t.complaints_90_days):
        weight = scoring.Weight.SERIOUS.value
    elif count >= t.complaints_90_days:
        weight = scoring.Weight.MODERATE.value
    else:
        weight = ""
    flag_key = "unreasonable_demands" if 2 * requests >= count else "complains"
    return DemandPool(count, requests, flag_key, weight)


def _pool_fact(data: EvidenceInput, pool: DemandPool) -> Fact:
    related = links(data.incidents_within(DEMAND_POOL, RECENT_DAYS))
    complained = pool.count - pool.requests
    if not pool.requests:
        return Fact("incidents.complaints", {"count": complained}, related)
    if not complained:
        return Fact("incidents.demands", {"count": pool.requests}, related)
    params = {"count": pool.count, "requests": pool.requests, "complaints": complained}
    return Fact("incidents.demand_pool", params, related)


def _heavier(a: str, b: str) -> str:
    order = [w.value for w in scoring.Weight]  # most to least
    found = [w for w in (a, b) if w]
    return min(found, key=order.index) if found else ""


def complaints_after_deliveries(data: EvidenceInput) -> tuple[Fact | None, bool]:
    """The fact that complaints followed the latest deliveries (None below two of them),
    and whether it is a pattern by itself (see DELIVERIES_LOOKED_AT)."""
    last = data.deliveries[:DELIVERIES_LOOKED_AT]
    ids = {delivery.id for delivery in last}
    about = [i for i in data.incidents if i.category in AFTER_DELIVERY and i.delivery_id in ids]
    complained = len({i.delivery_id for i in about})
    if complained < 2:
        return None, False
    key = (
        "deliveries.complaints_after_each"
        if complained == len(last)
        else "deliveries.complaints_after"
    )
    fact = Fact(key, {"count": complained, "deliveries": len(last)}, links(about))
    pattern = complained >= COMPLAINED_DELIVERIES and Decimal(
        complained
    ) >= COMPLAINED_DELIVERIES_SHARE * len(last)
    return fact, pattern


def complaints(data: EvidenceInput) -> list[Proposal]:
    """Complaints counted with their neighbours (see DEMAND_POOL): defaults 3 in 90 days
    a moderate flag, 5 a serious one; or complaints after most of the latest deliveries
    (003 #1: "after the last five deliveries"), a moderate flag however spread out."""
    pool = demand_pool(data)
    complained = pool.count - pool.requests
    after, pattern = complaints_after_deliveries(data)
    extra = (after,) if after is not None else ()
    pattern_weight = scoring.Weight.MODERATE.value if pattern else ""
    if not complained:
        return [Proposal("complains", extra, pattern, weight=pattern_weight)] if after else []
    if pool.flag_key != "complains":
        # Mostly requests: the pattern is proposed as unreasonable demands, not twice,
        # unless the complaints follow the deliveries, which is a pattern of its own.
        fact = Fact("incidents.complaints_pooled", {"count": complained})
        return [Proposal("complains", (*extra, fact), pattern, weight=pattern_weight)]
    weight = _heavier(pool.weight, pattern_weight)
    facts = (_pool_fact(data, pool), *extra)
    return [Proposal("complains", facts, bool(weight), weight=weight)]


def out_of_hours_and_demands(data: EvidenceInput) -> list[Proposal]:
    """Default: 3 contacts outside agreed hours in 90 days (serious), or the demand pool
    (see DEMAND_POOL) when it is mostly requests."""
    facts = []
    weight = ""
    out_of_hours = data.figures.out_of_hours_90d
    if out_of_hours:
        facts.append(
            Fact(
                "incidents.out_of_hours",
                {"count": out_of_hours, "year": data.figures.out_of_hours_12m},
                links(data.out_of_hours_within(RECENT_DAYS)),
            )
        )
        if out_of_hours >= data.thresholds.out_of_hours_90_days:
            weight = scoring.Weight.SERIOUS.value
    pool = demand_pool(data)
    if pool.requests:
        if pool.flag_key == "unreasonable_demands":
            facts.append(_pool_fact(data, pool))
            weight = _heavier(weight, pool.weight)
        else:
            related = data.incidents_within(DEMAND_REQUESTS, RECENT_DAYS)
            facts.append(Fact("incidents.demands", {"count": pool.requests}, links(related)))
        if data.client.has_written_contract is None and data.count_90d({"out_of_scope"}):
            facts.append(Fact("client.contract_unknown", {}, (Link("client", data.client.id),)))
    if not facts:
        return []
    return [Proposal("unreasonable_demands", tuple(facts), bool(weight), weight=weight)]


def late_payment(data: EvidenceInput) -> list[Proposal]:
    """Default: 30 days late on average, or any invoice 90 days late or more (002).
    Size: money overdue at or above 25% of the client's revenue over 12 months (or any
    overdue money from a client with no revenue) counts as two serious flags."""
    summary, t, lateness = data.figures.summary, data.thresholds, data.lateness
    facts = []
    average = summary.avg_days_late or 0.0
    if summary.late_invoices and lateness.counted:
        late = [i for i in data.invoices if i.days_late >= t.late_average_days]
        facts.append(
            Fact(
                "invoices.late_average",
                {"count": lateness.counted, "days": whole(average)},
                links(late),
            )
        )
    if lateness.severe:
        severe = [i for i in data.invoices if i.days_late >= t.late_severe_days]
        worst = summary.worst_days_late or 0
        params = {"count": lateness.severe, "days": t.late_severe_days, "worst": worst}
        facts.append(Fact("invoices.late_severe", params, links(severe)))
    overdue = [i for i in data.invoices if i.open_overdue]
    if lateness.open_overdue:
        params = {
            "count": lateness.open_overdue,
            "amount_money": money_param(summary.overdue_balance),
            "currency": data.currency,
        }
        facts.append(Fact("invoices.overdue_open", params, links(overdue)))
    if not facts:
        return []
    meets = average >= t.late_average_days or lateness.severe > 0
    weight = ""
    owed = summary.overdue_balance
    if meets and owed > 0:
        share = owed / summary.revenue if summary.revenue > 0 else None
        if share is None or share >= t.major_overdue_share:
            weight = scoring.Weight.MAJOR.value
            params = {
                "amount_money": money_param(owed),
                "currency": data.currency,
                "percent": "" if share is None else whole(float(share * 100)),
                "mark": whole(float(t.major_overdue_share * 100)),
            }
            code = "size.overdue_no_revenue" if share is None else "size.overdue"
            facts.append(Fact(code, params, links(overdue)))
    return [Proposal("slow_to_pay", tuple(facts), meets, weight=weight)]


def disputes_and_discounts(data: EvidenceInput) -> list[Proposal]:
    """Default: a quarter of invoices disputed, or discounts pushed on 2 invoices."""
    summary, t = data.figures.summary, data.thresholds
    facts = []
    if summary.disputed_invoices:
        disputed = [i for i in data.invoices if i.disputed]
        params = {"disputed": summary.disputed_invoices, "count": summary.invoices}
        facts.append(Fact("invoices.disputed", params, links(disputed)))
    if summary.discounts:
        discounted = [i for i in data.invoices if i.discount > 0]
        params = {
            "count": summary.discounts,
            "total_money": money_param(summary.discount_total),
            "currency": data.currency,
        }
        facts.append(Fact("invoices.discounts", params, links(discounted)))
    haggles = data.count_12m({"payment_dispute"})
    if haggles:
        related = data.incidents_within({"payment_dispute"}, WINDOW_DAYS)
        facts.append(Fact("incidents.payment_disputes", {"count": haggles}, links(related)))
    if not facts:
        return []
    share_disputed = (
        Decimal(summary.disputed_invoices) / Decimal(summary.invoices)
        if summary.invoices
        else Decimal(0)
    )
    meets = (
        (summary.disputed_invoices > 0 and share_disputed >= t.disputed_share)
        or summary.discounts >= t.discounts_count
        or haggles >= PAYMENT_DISPUTE_INCIDENTS
    )
    return [Proposal("disputes_invoices", tuple(facts), meets)]


def unprofitable(data: EvidenceInput) -> list[Proposal]:
    """Default: cost to serve at or above revenue (002: "$1,000 a month, $2,000 in time").
    Size: 1.5 times revenue or more counts as two serious flags."""
    summary, t = data.figures.summary, data.thresholds
    if not summary.revenue and not summary.cost:
        return []
    page = (Link("client", data.client.id),)
    facts = [
        Fact(
            "money.cost_over_revenue",
            {
                "revenue_money": money_param(summary.revenue),
                "cost_money": money_param(summary.cost),
                "currency": data.currency,
            },
            page,
        )
    ]
    if summary.expenses:
        params = {"amount_money": money_param(summary.expenses), "currency": data.currency}
        facts.append(Fact("money.expenses", params, page))
    if summary.unbilled_minutes:
        hours = summary.unbilled_hours
        shown = str(int(hours)) if hours == hours.to_integral_value() else str(hours)
        facts.append(Fact("money.unbilled", {"hours": shown}, page))
    weight = ""
    if summary.revenue > 0:
        ratio = summary.cost / summary.revenue
        meets = ratio >= t.cost_to_revenue_ratio
        if ratio >= t.major_cost_ratio and meets:
            weight = scoring.Weight.MAJOR.value
            params = {
                "ratio": str(ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
                "mark": str(t.major_cost_ratio),
            }
            facts.append(Fact("size.cost", params, page))
    else:
        meets = summary.cost > 0
    return [Proposal("not_profitable", tuple(facts), meets, weight=weight)]


def scope_changes(data: EvidenceInput) -> list[Proposal]:
    """Default: 3 changes of mind in 90 days; never proposed for hourly billing, where
    changes add to the bill and both sides know it (000 #6). With the billing model not
    recorded, the checklist asks instead of assuming either way."""
    count = data.count_90d({"changed_mind"})
    if not count:
        return []
    related = data.incidents_within({"changed_mind"}, RECENT_DAYS)
    facts = [Fact("incidents.changed_mind", {"count": count}, links(related))]
    page = (Link("client", data.client.id),)
    billing = data.client.billing_model
    enough = count >= data.thresholds.scope_changes_90_days
    if billing == "hourly":
        facts.append(Fact("client.hourly", {}, page))
        return [Proposal("changes_mind", tuple(facts), False)]
    if not billing:
        if enough:
            facts.append(Fact("client.billing_unknown", {}, page))
        return [Proposal("changes_mind", tuple(facts), False, asks=enough)]
    return [Proposal("changes_mind", tuple(facts), enough)]


def no_referrals(data: EvidenceInput) -> list[Proposal]:
    """Default: no referral after 2 years as a client (003 #4). Referrals not recorded:
    after those years the checklist asks, before that there is nothing to ask."""
    page = (Link("client", data.client.id),)
    referrals = data.client.referrals_sent
    if referrals:
        fact = Fact("client.referrals", {"count": referrals}, page)
        return [Proposal("never_refers", (fact,), False)]
    years = data.years_as_client
    enough = years >= data.thresholds.no_referrals_after_years
    if referrals is None:
        fact = Fact("client.referrals_unknown", {"count": years}, page)
        return [Proposal("never_refers", (fact,), False, asks=enough)]
    if years < 1:
        return [Proposal("never_refers", (Fact("client.no_referrals_yet", {}, page),), False)]
    fact = Fact("client.no_referrals", {"count": years}, page)
    return [Proposal("never_refers", (fact,), enough)]


RULES: Mapping[str, Callable[[EvidenceInput], list[Proposal]]] = MappingProxyType(
    {
        "abuse_incidents": abuse_incidents,
        "lying_incidents": lying_incidents,
        "unethical_incidents": unethical_incidents,
        "legal_incidents": legal_incidents,
        "out_of_hours_and_demands": out_of_hours_and_demands,
        "late_payment": late_payment,
        "disputes_and_discounts": disputes_and_discounts,
        "unprofitable": unprofitable,
        "competitor_incidents": competitor_incidents,
        "reputation_incidents": reputation_incidents,
        "scope_changes": scope_changes,
        "ignored_advice_incidents": ignored_advice_incidents,
        "complaints": complaints,
        "no_referrals": no_referrals,
    }
)


def propose(data: EvidenceInput) -> list[Proposal]:
    """Every flag the record has facts for, most severe first; see `meets_threshold`."""
    found = [proposal for rule in RULES.values() for proposal in rule(data)]
    return sorted(found, key=lambda p: p.flag.sort_key)


def proposed_keys(proposals: Iterable[Proposal]) -> set[str]:
    return {p.flag_key for p in proposals if p.meets_threshold}


def asked_keys(proposals: Iterable[Proposal]) -> set[str]:
    """Flags the checklist starts at "Not sure": the rule lacks a fact the owner knows."""
    return {p.flag_key for p in proposals if p.asks and not p.meets_threshold}
