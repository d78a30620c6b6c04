"""The evidence rules on hand-built records: exact facts, exact links, threshold edges."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import evidence
from assessments.evidence.facts import Fact, Link, format_money
from assessments.evidence.inputs import (
    ClientInfo,
    EvidenceInput,
    FlagRef,
    IncidentRef,
    InvoiceRef,
    Lateness,
    Thresholds,
)
from assessments.figures import ClientFigures, Summary
from assessments.models import AbuseFlag, EvidenceThresholds
from assessments.redflags import CATALOGUE
from tests import factories

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=dt_timezone.utc)


def make_input(
    *,
    summary: dict | None = None,
    incidents_12m: dict | None = None,
    incidents_90d: dict | None = None,
    incidents: tuple = (),
    invoices: tuple = (),
    flags: tuple = (),
    lateness: Lateness | None = None,
    client: dict | None = None,
    thresholds: dict | None = None,
    out_of_hours: tuple[int, int] = (0, 0),
    business_revenue: Decimal = Decimal("0"),
) -> EvidenceInput:
    summary_fields = {"client_id": 7, **(summary or {})}
    client_fields = {
        "id": 7,
        "name": "Acme",
        "since": date(2025, 6, 1),
        "referrals_sent": 1,
        "long_standing": False,
        "billing_model": "fixed",
        "has_written_contract": True,
        **(client or {}),
    }
    return EvidenceInput(
        client=ClientInfo(**client_fields),
        currency="EUR",
        figures=ClientFigures(
            client_id=7,
            today=TODAY,
            summary=Summary(**summary_fields),
            business_revenue=business_revenue,
            incidents_12m=incidents_12m or {},
            incidents_90d=incidents_90d or {},
            out_of_hours_90d=out_of_hours[0],
            out_of_hours_12m=out_of_hours[1],
        ),
        thresholds=replace(Thresholds.defaults(), **(thresholds or {})),
        today=TODAY,
        now=NOW,
        lateness=lateness or Lateness(),
        incidents=incidents,
        invoices=invoices,
        flags=flags,
    )


def incident(pk: int, category: str, days_ago: int, **extra) -> IncidentRef:
    fields = {"severity": "medium", "outside_hours": False, "contact_name": ""}
    fields.update(extra)
    return IncidentRef(
        id=pk,
        number=pk + 100,
        category=category,
        occurred_at=NOW - timedelta(days=days_ago),
        **fields,
    )


def only(proposals, flag_key):
    found = [p for p in proposals if p.flag_key == flag_key]
    assert len(found) == 1, [p.flag_key for p in proposals]
    return found[0]


def texts(proposal) -> list[str]:
    return [fact.text for fact in proposal.facts]


def test_every_catalogue_rule_has_a_function_and_nothing_else():
    keys = {flag.evidence_rule for flag in CATALOGUE if flag.evidence_rule}
    assert set(evidence.RULES) == keys


def test_an_empty_record_proposes_nothing_but_the_referral_context():
    proposals = evidence.propose(make_input())
    assert [(p.flag_key, p.meets_threshold) for p in proposals] == [("never_refers", False)]
    assert texts(proposals[0]) == ["has sent you 1 referral"]


# --- Deal-breakers -----------------------------------------------------------------


def test_abuse_incidents_and_an_open_flag_propose_both_abuse_flags():
    data = make_input(
        incidents=(
            incident(2, "threat", 20),
            incident(1, "verbal_abuse", 3, contact_name="Jane Doe"),
            incident(3, "verbal_abuse", 300),
            incident(4, "complaint", 1),
        ),
        flags=(
            FlagRef(
                id=9,
                contact_id=31,
                contact_name="Jane Doe",
                raised_at=datetime(2026, 3, 3, 10, 0, tzinfo=dt_timezone.utc),
                cleared_at=None,
                incidents=((1, 101), (2, 102)),
            ),
        ),
    )
    proposals = evidence.propose(data)
    physical = only(proposals, "physical_abuse")
    assert physical.meets_threshold
    assert physical.weighing.weight == "deal_breaker"
    assert texts(physical) == [
        "1 incident of physical abuse or threatening behaviour on record",
        "the latest on 18 February 2026, 0 months ago: it does not expire",
    ]
    assert physical.facts[0].links == (Link("incident", 2, "102"),)
    verbal = only(proposals, "verbal_abuse")
    assert verbal.meets_threshold
    assert verbal.weighing.weight == "deal_breaker"
    assert texts(verbal) == [
        "3 incidents of verbal abuse, harassment or threats on record",
        "the latest on 18 February 2026, 0 months ago: it does not expire",
        "1 of them a threat or of high or critical severity: a deal-breaker, no warning needed",
        "contact Jane Doe flagged abusive on 3 March 2026 (incidents 101, 102)",
    ]
    assert [link.ref for link in verbal.facts[0].links] == ["102", "101", "103"]
    assert verbal.facts[3].links == (
        Link("contact", 31, "Jane Doe"),
        Link("incident", 1, "101"),
        Link("incident", 2, "102"),
    )
    # Deal-breakers come first.
    assert [p.flag_key for p in proposals][:2] == ["physical_abuse", "verbal_abuse"]


@pytest.mark.parametrize(
    ("record", "weight", "step"),
    [
        # A first remark of low or medium severity: serious, "tell them once".
        ((("harassment", 5, "low"),), "serious", "verbal_abuse.warning"),
        ((("verbal_abuse", 5, "medium"),), "serious", "verbal_abuse.warning"),
        # Again after that: a deal-breaker; so is a severe one or a threat.
        ((("harassment", 5, "low"), ("harassment", 60, "low")), "deal_breaker", ""),
        ((("harassment", 5, "high"),), "deal_breaker", ""),
        ((("verbal_abuse", 5, "critical"),), "deal_breaker", ""),
        ((("threat", 5, "low"),), "deal_breaker", ""),
        # Deal-breakers never expire: 14 months ago still counts, and still weighs.
        ((("harassment", 430, "low"), ("harassment", 2, "low")), "deal_breaker", ""),
        ((("harassment", 430, "low"),), "serious", "verbal_abuse.warning"),
    ],
)
def test_abuse_weighs_by_severity_and_repetition(record, weight, step):
    incidents = tuple(
        incident(n, category, days, severity=severity)
        for n, (category, days, severity) in enumerate(sorted(record, key=lambda r: r[1]))
    )
    verbal = only(evidence.propose(make_input(incidents=incidents)), "verbal_abuse")
    assert verbal.meets_threshold
    assert (verbal.weighing.weight, verbal.step) == (weight, step)


def test_physical_abuse_fourteen_months_ago_is_still_proposed():
    data = make_input(incidents=(incident(1, "physical_abuse", 14 * 31, severity="low"),))
    physical = only(evidence.propose(data), "physical_abuse")
    assert physical.meets_threshold and physical.weighing.weight == "deal_breaker"
    assert texts(physical)[1].startswith("the latest on ")
    assert "14 months ago" in texts(physical)[1]


def test_a_cleared_abuse_flag_is_context_only():
    flag = FlagRef(
        id=9,
        contact_id=31,
        contact_name="Jane Doe",
        raised_at=datetime(2025, 1, 5, tzinfo=dt_timezone.utc),
        cleared_at=datetime(2025, 2, 1, tzinfo=dt_timezone.utc),
    )
    verbal = only(evidence.propose(make_input(flags=(flag,))), "verbal_abuse")
    assert not verbal.meets_threshold
    assert texts(verbal) == [
        "contact Jane Doe was flagged abusive on 5 January 2025; the flag was cleared on "
        "1 February 2025"
    ]
    open_flag = replace(flag, cleared_at=None)
    verbal = only(evidence.propose(make_input(flags=(open_flag,))), "verbal_abuse")
    assert verbal.meets_threshold
    assert texts(verbal) == ["contact Jane Doe flagged abusive on 5 January 2025"]


def test_lying_needs_two_incidents_or_one_serious():
    one = make_input(incidents=(incident(1, "lying", 5),))
    dishonest = only(evidence.propose(one), "dishonest")
    assert not dishonest.meets_threshold
    assert texts(dishonest)[0] == "1 incident of lying or twisting an agreement on record"
    # Two, however far apart: a record of trying to fool you does not expire.
    two = make_input(incidents=(incident(1, "lying", 5), incident(2, "lying", 500)))
    assert only(evidence.propose(two), "dishonest").meets_threshold
    serious = make_input(incidents=(incident(1, "lying", 5, severity="high"),))
    dishonest = only(evidence.propose(serious), "dishonest")
    assert dishonest.meets_threshold
    assert texts(dishonest)[2] == "1 of them of high or critical severity"


@pytest.mark.parametrize(
    ("category", "flag_key", "text", "step"),
    [
        (
            "unethical_request",
            "unethical",
            "1 request for something unethical on record",
            "unethical.refuse",
        ),
        (
            "legal_risk",
            "legal_liability",
            "1 incident that could cause legal trouble on record",
            "legal_liability.guard",
        ),
    ],
)
def test_unethical_and_legal_risk_weigh_by_severity(category, flag_key, text, step):
    low = make_input(incidents=(incident(5, category, 40, severity="low"),))
    proposal = only(evidence.propose(low), flag_key)
    assert proposal.meets_threshold
    assert texts(proposal)[0] == text
    assert proposal.facts[0].links == (Link("incident", 5, "105"),)
    assert (proposal.weighing.weight, proposal.step) == ("serious", step)
    for record in (
        (incident(5, category, 40, severity="medium"),),
        (incident(5, category, 40, severity="low"), incident(6, category, 400, severity="low")),
    ):
        proposal = only(evidence.propose(make_input(incidents=record)), flag_key)
        assert (proposal.weighing.weight, proposal.step) == ("deal_breaker", "")


@pytest.mark.parametrize(
    ("category", "flag_key", "text"),
    [
        (
            "competitor_pressure",
            "plays_competitors",
            "played you against a competitor 1 time in the last 12 months",
        ),
        (
            "reputation_threat",
            "reputation_threat",
            "1 threat to your reputation in the last 12 months",
        ),
    ],
)
def test_one_incident_is_enough_for_these_flags(category, flag_key, text):
    data = make_input(incidents_12m={category: 1}, incidents=(incident(5, category, 40),))
    proposal = only(evidence.propose(data), flag_key)
    assert proposal.meets_threshold
    assert texts(proposal) == [text]
    assert proposal.facts[0].links == (Link("incident", 5, "105"),)


# --- Serious ------------------------------------------------------------------------


def test_out_of_hours_threshold_edge_and_demands():
    recent = tuple(incident(i, "out_of_hours", i * 10) for i in range(1, 4))
    older = (incident(9, "complaint", 200, outside_hours=True),)
    data = make_input(out_of_hours=(3, 4), incidents=recent + older)
    demands = only(evidence.propose(data), "unreasonable_demands")
    assert demands.meets_threshold
    assert texts(demands) == [
        "3 contacts outside agreed hours in the last 90 days (4 in 12 months)"
    ]
    assert [link.pk for link in demands.facts[0].links] == [1, 2, 3]
    below = make_input(out_of_hours=(2, 4), incidents=recent)
    assert not only(evidence.propose(below), "unreasonable_demands").meets_threshold
    raised = make_input(out_of_hours=(3, 4), thresholds={"out_of_hours_90_days": 4})
    assert not only(evidence.propose(raised), "unreasonable_demands").meets_threshold
    asked = make_input(
        incidents_90d={"unreasonable_demand": 1, "out_of_scope": 1},
        incidents=(incident(1, "unreasonable_demand", 5), incident(2, "out_of_scope", 6)),
    )
    demands = only(evidence.propose(asked), "unreasonable_demands")
    # Two requests are not yet a pattern: three make a moderate flag, five a serious one.
    assert not demands.meets_threshold
    assert texts(demands) == [
        "2 unreasonable demands or requests outside the agreed scope in the last 90 days"
    ]


@pytest.mark.parametrize(
    ("logged", "flag_key", "weight"),
    [
        # The same conduct under neighbouring categories: the same weight.
        ({"complaint": 3}, "complains", "moderate"),
        ({"out_of_scope": 3}, "unreasonable_demands", "moderate"),
        ({"unreasonable_demand": 2, "complaint": 1}, "unreasonable_demands", "moderate"),
        ({"complaint": 5}, "complains", "serious"),
        ({"out_of_scope": 5}, "unreasonable_demands", "serious"),
        ({"out_of_scope": 2, "complaint": 3}, "complains", "serious"),
        ({"out_of_scope": 3, "complaint": 2}, "unreasonable_demands", "serious"),
    ],
)
def test_neighbouring_categories_weigh_the_same(logged, flag_key, weight):
    incidents, n = [], 0
    for category, count in logged.items():
        for _ in range(count):
            n += 1
            incidents.append(incident(n, category, n))
    data = make_input(incidents_90d=logged, incidents=tuple(incidents))
    proposals = {p.flag_key: p for p in evidence.propose(data)}
    chosen = proposals[flag_key]
    assert chosen.meets_threshold and chosen.weighing.weight == weight
    other = "complains" if flag_key == "unreasonable_demands" else "unreasonable_demands"
    assert other not in proposals or not proposals[other].meets_threshold


def test_late_payment_facts_and_links():
    data = make_input(
        summary={
            "avg_days_late": 46.5,
            "late_invoices": 5,
            "worst_days_late": 121,
            "overdue_balance": Decimal("1500.00"),
        },
        lateness=Lateness(counted=6, severe=2, open_overdue=1),
        invoices=(
            InvoiceRef(1, "INV-1", 121, open_overdue=True),
            InvoiceRef(2, "INV-2", 95),
            InvoiceRef(3, "INV-3", 40),
            InvoiceRef(4, "INV-4", 0, disputed=True),
        ),
    )
    slow = only(evidence.propose(data), "slow_to_pay")
    assert slow.meets_threshold
    assert texts(slow) == [
        "6 invoices paid or overdue, on average 47 days late",
        "2 invoices 90 or more days late (the worst: 121 days)",
        "1 overdue invoice still unpaid: €1,500",
        # Size: owed money from a client with no revenue in the window counts twice.
        "€1,500 overdue from a client with no revenue in 12 months: it counts as two serious flags",
    ]
    assert slow.weighing.weight == "major"
    assert [link.ref for link in slow.facts[0].links] == ["INV-1", "INV-2", "INV-3"]
    assert [link.ref for link in slow.facts[1].links] == ["INV-1", "INV-2"]
    assert slow.facts[2].links == (Link("invoice", 1, "INV-1"),)


def test_late_payment_threshold_edges():
    def slow(avg: float, severe: int = 0, **thresholds):
        data = make_input(
            summary={"avg_days_late": avg, "late_invoices": 3, "worst_days_late": 60},
            lateness=Lateness(counted=3, severe=severe),
            thresholds=thresholds,
        )
        return only(evidence.propose(data), "slow_to_pay").meets_threshold

    assert slow(30.0)
    assert not slow(29.9)
    assert slow(29.9, severe=1)
    assert not slow(30.0, late_average_days=31)


def test_disputes_share_edge_and_discounts():
    def disputes(disputed: int, invoices: int, discounts: int = 0, **thresholds):
        data = make_input(
            summary={
                "disputed_invoices": disputed,
                "invoices": invoices,
                "discounts": discounts,
                "discount_total": Decimal("450.00") if discounts else Decimal("0"),
            },
            thresholds=thresholds,
        )
        return only(evidence.propose(data), "disputes_invoices")

    quarter = disputes(2, 8)
    assert quarter.meets_threshold
    assert texts(quarter) == ["2 of 8 invoices disputed"]
    assert not disputes(1, 8).meets_threshold
    assert not disputes(2, 8, disputed_share=Decimal("0.30")).meets_threshold
    haggler = disputes(0, 8, discounts=2)
    assert haggler.meets_threshold
    assert texts(haggler) == ["pushed for a discount after agreeing on 2 invoices: €450 in all"]
    assert not disputes(0, 8, discounts=1).meets_threshold


def test_payment_dispute_incidents_count_towards_disputes():
    data = make_input(
        incidents_12m={"payment_dispute": 2},
        incidents=(incident(1, "payment_dispute", 10), incident(2, "payment_dispute", 200)),
    )
    proposal = only(evidence.propose(data), "disputes_invoices")
    assert proposal.meets_threshold
    assert texts(proposal) == ["2 payment disputes or haggles logged in the last 12 months"]


def test_unprofitable_ratio_edge_and_unbilled_time():
    def unprofitable(revenue: str, cost: str, unbilled: int = 0, **thresholds):
        data = make_input(
            summary={
                "revenue": Decimal(revenue),
                "cost": Decimal(cost),
                "unbilled_minutes": unbilled,
            },
            thresholds=thresholds,
        )
        return only(evidence.propose(data), "not_profitable")

    losing = unprofitable("12000.00", "24000.00", unbilled=2430)
    assert losing.meets_threshold
    assert texts(losing) == [
        "revenue €12,000 against €24,000 cost to serve over 12 months",
        "40.5 hours of unbilled support, hand-holding, rework and meetings in 12 months",
        "cost to serve is 2.00 times revenue, at or above your mark of 1.50 times: it counts "
        "as two serious flags",
    ]
    assert losing.weighing.weight == "major"
    assert losing.facts[0].links == (Link("client", 7),)
    # Size: below 1.5 times revenue it is one serious flag; the mark is the owner's.
    assert unprofitable("1000.00", "1499.99").weighing.weight == "serious"
    assert unprofitable("1000.00", "1500.00").weighing.weight == "major"
    assert unprofitable("1000.00", "1100.00", major_cost_ratio=Decimal("1.10")).weight == "major"
    assert unprofitable("0", "10.50").weighing.weight == "serious"
    assert unprofitable("1000.00", "1000.00").meets_threshold
    assert not unprofitable("1000.00", "999.99").meets_threshold
    assert unprofitable("1000.00", "800.00", cost_to_revenue_ratio=Decimal("0.80")).meets_threshold
    assert unprofitable("0", "10.50").meets_threshold
    assert texts(unprofitable("1000.50", "10.00"))[0] == (
        "revenue €1,000.50 against €10 cost to serve over 12 months"
    )


# --- Moderate -----------------------------------------------------------------------


def test_scope_changes_edge_and_hourly_billing():
    changes = tuple(incident(i, "changed_mind", i) for i in range(1, 4))
    fixed = make_input(incidents_90d={"changed_mind": 3}, incidents=changes)
    proposal = only(evidence.propose(fixed), "changes_mind")
    assert proposal.meets_threshold
    assert texts(proposal) == ["3 changes of mind or scope in the last 90 days"]
    fewer = make_input(incidents_90d={"changed_mind": 2}, incidents=changes[:2])
    assert not only(evidence.propose(fewer), "changes_mind").meets_threshold
    hourly = make_input(
        incidents_90d={"changed_mind": 5}, incidents=changes, client={"billing_model": "hourly"}
    )
    proposal = only(evidence.propose(hourly), "changes_mind")
    assert not proposal.meets_threshold
    assert texts(proposal)[1] == (
        "billed by the hour, so every change adds to the bill (not proposed for that reason)"
    )


def test_complaints_threshold_edge():
    complaints = tuple(incident(i, "complaint", i) for i in range(1, 6))
    five = make_input(incidents_90d={"complaint": 5}, incidents=complaints)
    proposal = only(evidence.propose(five), "complains")
    assert proposal.meets_threshold
    assert texts(proposal) == ["5 complaints in the last 90 days"]
    assert len(proposal.facts[0].links) == 5
    two = make_input(incidents_90d={"complaint": 2})
    assert not only(evidence.propose(two), "complains").meets_threshold
    assert not only(
        evidence.propose(replace(five, thresholds=replace(five.thresholds, complaints_90_days=6))),
        "complains",
    ).meets_threshold


def test_ignored_advice_needs_a_second_time():
    once = make_input(incidents_12m={"ignored_advice": 1})
    assert not only(evidence.propose(once), "ignores_advice").meets_threshold
    twice = make_input(incidents_12m={"ignored_advice": 2})
    proposal = only(evidence.propose(twice), "ignores_advice")
    assert proposal.meets_threshold
    assert texts(proposal) == [
        "ignored your advice, then expected you to put it right, 2 times in the last 12 months"
    ]


def test_no_referrals_by_years_with_leap_day_edge():
    def refers(since: date, referrals: int = 0, **thresholds):
        data = make_input(
            client={"since": since, "referrals_sent": referrals}, thresholds=thresholds
        )
        return only(evidence.propose(data), "never_refers")

    four = refers(date(2022, 1, 1))
    assert four.meets_threshold
    assert texts(four) == ["no referrals in 4 years"]
    assert four.facts[0].links == (Link("client", 7),)
    # Two years to the day counts; one day short does not.
    assert refers(date(2024, 3, 10)).meets_threshold
    assert not refers(date(2024, 3, 11)).meets_threshold
    assert texts(refers(date(2024, 3, 11))) == ["no referrals in 1 year"]
    assert texts(refers(date(2025, 12, 1))) == ["no referrals yet, in less than a year as a client"]
    assert not refers(date(2020, 1, 1), referrals=3).meets_threshold
    assert not refers(date(2022, 1, 1), no_referrals_after_years=5).meets_threshold


def test_concentration_fact_and_caution_edge():
    data = make_input(
        summary={"revenue": Decimal("12000.00"), "share": Decimal("0.4211")},
        business_revenue=Decimal("28500.00"),
    )
    fact = evidence.concentration(data)
    assert fact.text == "this client is 42% of your revenue (€12,000 of €28,500 over 12 months)"
    assert evidence.caution_applies(data)
    at_edge = make_input(summary={"revenue": Decimal("3"), "share": Decimal("0.3000")})
    assert evidence.caution_applies(at_edge)
    below = make_input(summary={"revenue": Decimal("3"), "share": Decimal("0.2999")})
    assert not evidence.caution_applies(below)
    assert not evidence.caution_applies(
        replace(at_edge, thresholds=replace(at_edge.thresholds, concentration_share=Decimal("0.5")))
    )
    assert evidence.concentration(make_input()) is None


def test_money_formatting_by_currency():
    assert format_money(Decimal("12000.00"), "EUR") == "€12,000"
    assert format_money(Decimal("1234.5"), "GBP") == "£1,234.50"
    assert format_money(Decimal("1500000"), "KRW") == "₩1,500,000"
    assert format_money(Decimal("99.90"), "ISK") == "100 ISK"
    assert format_money(Decimal("-250.00"), "USD") == "−$250"


def test_snapshot_is_json_and_reads_back_with_the_same_text():
    data = make_input(
        summary={"revenue": Decimal("100.00"), "cost": Decimal("300.00"), "share": Decimal("1")},
        business_revenue=Decimal("100.00"),
        incidents_90d={"complaint": 3},
        incidents=tuple(incident(i, "complaint", i) for i in range(1, 4)),
    )
    report = evidence.build_report(data)
    saved = json.loads(json.dumps(evidence.snapshot(data, report)))
    assert saved["thresholds"]["disputed_share"] == "0.25"
    assert saved["gathered_on"] == "2026-03-10"
    back = evidence.report_from_snapshot(saved)
    assert [p.flag_key for p in back.proposals] == [p.flag_key for p in report.proposals]
    assert [f.text for p in back.proposals for f in p.facts] == [
        f.text for p in report.proposals for f in p.facts
    ]
    assert back.concentration.text == report.concentration.text
    assert back.caution is True
    # A fact code a later version no longer knows falls back to the text kept.
    assert Fact.from_json({"code": "gone", "text": "kept words"}).text == "kept words"
    saved["proposals"].append({"flag": "no_such_flag", "facts": []})
    assert len(evidence.report_from_snapshot(saved).proposals) == len(report.proposals)


# --- The database loader ------------------------------------------------------------


@pytest.fixture
def acme(business):
    return factories.client(
        business,
        name="Acme",
        client_since=timezone.localdate() - timedelta(days=4 * 366),
        billing_model="fixed",
        referrals_sent=0,
    )


def _fill(client, owner, count: int) -> None:
    today = timezone.localdate()
    for i in range(count):
        issued = today - timedelta(days=200 - i)
        factories.invoice(
            client,
            number=f"{client.pk}-{i}",
            issued_on=issued,
            due_on=issued + timedelta(days=30),
            paid_on=issued + timedelta(days=150),
            disputed=i % 3 == 0,
        )
        factories.incident(
            client, by=owner, category="complaint", occurred_at=timezone.now() - timedelta(days=i)
        )
        factories.time_entry(client, minutes=30)


@pytest.mark.django_db
def test_gather_reads_the_record_and_the_facts_link_to_it(acme, owner):
    jane = factories.contact(acme, name="Jane Doe")
    today = timezone.localdate()
    late = factories.invoice(
        acme,
        number="L1",
        issued_on=today - timedelta(days=150),
        due_on=today - timedelta(days=120),
        amount=Decimal("2000.00"),
    )
    factories.invoice(
        acme,
        number="L2",
        issued_on=today - timedelta(days=60),
        due_on=today - timedelta(days=30),
        paid_on=today - timedelta(days=20),
        amount=Decimal("1000.00"),
        disputed=True,
    )
    shouted = factories.incident(
        acme,
        by=owner,
        contact=jane,
        category="verbal_abuse",
        occurred_at=timezone.now() - timedelta(days=5),
    )
    flag = AbuseFlag.objects.create(
        business=acme.business, contact=jane, reason="Shouted at Sam.", raised_by=owner
    )
    flag.incidents.add(shouted)
    data = evidence.gather(acme)
    assert data.lateness == Lateness(counted=2, severe=1, open_overdue=1)
    proposals = {p.flag_key: p for p in evidence.propose(data)}
    assert set(proposals) == {
        "verbal_abuse",
        "slow_to_pay",
        "disputes_invoices",
        "not_profitable",
        "never_refers",
    }
    # Revenue with no time logged is context, not a proposal.
    assert not proposals["not_profitable"].meets_threshold
    assert texts(proposals["not_profitable"]) == [
        "revenue €3,000 against €0 cost to serve over 12 months"
    ]
    assert texts(proposals["slow_to_pay"]) == [
        "2 invoices paid or overdue, on average 65 days late",
        "1 invoice 90 or more days late (the worst: 120 days)",
        "1 overdue invoice still unpaid: €2,000",
        "€2,000 overdue is 67% of their revenue over 12 months, at or above your mark of "
        "25%: it counts as two serious flags",
    ]
    assert proposals["slow_to_pay"].facts[1].links == (Link("invoice", late.pk, "L1"),)
    assert texts(proposals["disputes_invoices"]) == ["1 of 2 invoices disputed"]
    assert proposals["disputes_invoices"].meets_threshold
    raised = timezone.localdate(flag.raised_at, acme.business.tzinfo).isoformat()
    verbal = proposals["verbal_abuse"]
    assert verbal.facts[-1].params == {
        "contact": "Jane Doe",
        "raised_date": raised,
        "count": 1,
        "numbers": str(shouted.number),
    }
    assert verbal.facts[-1].links[0] == Link("contact", jane.pk, "Jane Doe")
    assert texts(proposals["never_refers"]) == ["no referrals in 4 years"]


@pytest.mark.django_db
def test_saved_thresholds_change_what_gather_proposes(acme, owner):
    for i in range(3):
        factories.incident(acme, by=owner, occurred_at=timezone.now() - timedelta(days=i + 1))
    assert "complains" in evidence.proposed_keys(evidence.propose(evidence.gather(acme)))
    EvidenceThresholds.objects.create(business=acme.business, complaints_90_days=4)
    assert "complains" not in evidence.proposed_keys(evidence.propose(evidence.gather(acme)))


@pytest.mark.django_db
def test_gather_runs_the_same_queries_whatever_the_size_of_the_record(business, owner):
    empty = factories.client(business, name="Empty")
    small = factories.client(business, name="Small")
    big = factories.client(business, name="Big")
    for client in (small, big):
        contact = factories.contact(client)
        flag = AbuseFlag.objects.create(business=business, contact=contact, reason="Rude.")
        flag.incidents.add(factories.incident(client, by=owner, category="verbal_abuse"))
    _fill(small, owner, 1)
    _fill(big, owner, 40)
    counts = []
    for client in (empty, small, big):
        loaded = type(client).objects.select_related("business").get(pk=client.pk)
        with CaptureQueriesContext(connection) as queries:
            evidence.propose(evidence.gather(loaded))
        counts.append(len(queries))
    # The same number for an empty record, a small one and a big one (`client_figures`'
    # queries plus six of its own: at most 15).
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 15
