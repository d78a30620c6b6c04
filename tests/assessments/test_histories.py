"""The verdict rules as a table of client histories, written as records.

Each history is what an owner would log: incidents (category, severity, how long
ago, billed as extra or not), invoices (amount, when issued, how late paid or still
open), time (minutes at a rate) and expenses. The review then runs as the owner
would run it with the evidence's proposals accepted as they stand: a proposed flag
"yes", a flag the record cannot settle "not sure", every other flag "no". Each row
names the article or brief item it comes from, the expected verdict, the rule that
decides it and the flags that decide it.

Runs on both tiers: SQLite in the unit tier, PostgreSQL in the services tier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import evidence, scoring
from assessments.models import AbuseFlag, Assessment, Client, Expense
from assessments.redflags import CATALOGUE
from assessments.services import assessment as services
from tests import factories

pytestmark = pytest.mark.django_db

RATE = Decimal("50.00")


@dataclass(frozen=True)
class Inc:
    category: str
    days: int = 10
    severity: str = "medium"
    billed: bool = False
    outside_hours: bool = False


@dataclass(frozen=True)
class Inv:
    amount: str
    issued: int = 60  # days ago
    late: int | None = 0  # days paid after the due date; None while unpaid
    disputed: bool = False


@dataclass(frozen=True)
class Time:
    minutes: int
    days: int = 20
    kind: str = "billable"
    rate: str = "50.00"


@dataclass(frozen=True)
class Spent:
    amount: str
    days: int = 20


@dataclass(frozen=True)
class Dlv:
    """A delivery `days` ago; `complaint`: the client complained about it three days later."""

    days: int
    complaint: bool = False
    billed: bool = False  # the complaint's fix was billed to them as extra work


def every_45_days(n: int, complained: int) -> tuple[Dlv, ...]:
    """`n` deliveries 45 days apart, the latest 20 days ago; the latest `complained` of them
    followed by a complaint about that delivery."""
    return tuple(Dlv(20 + 45 * i, complaint=i < complained) for i in range(n))


@dataclass(frozen=True)
class History:
    name: str
    source: str
    records: tuple = ()
    client: dict = field(default_factory=dict)
    likelihood: str = "unlikely"
    long_standing: bool = False
    abuse_flag: bool = False
    verdict: str = "keep"
    rule: str = "none"
    deciding: tuple[str, ...] = ()
    # Flags the checklist starts at "not sure" because something is not recorded.
    asked: tuple[str, ...] = ()
    # Text that must be among the next steps (or "" for none to check).
    step: str = ""


def monthly(amount: str, months: int = 12) -> tuple[Inv, ...]:
    """A client paying `amount` a month, on time, for `months` months."""
    return tuple(Inv(amount, issued=30 * m + 35) for m in range(months))


def hours(total: int, *, kind: str = "billable", rate: str = "50.00") -> tuple[Time, ...]:
    """`total` hours of work spread over the year, in whole days of at most 8 hours."""
    entries, left, day = [], total * 60, 5
    while left > 0:
        chunk = min(480, left)
        entries.append(Time(chunk, days=day, kind=kind, rate=rate))
        left -= chunk
        day = day + 3 if day < 340 else 5
    return tuple(entries)


def times(n: int, category: str, **extra) -> tuple[Inc, ...]:
    return tuple(Inc(category, days=5 + 7 * i, **extra) for i in range(n))


# Fixed price, a contract, referrals sent: nothing is "not recorded" unless a row says so.
KNOWN = {"billing_model": "fixed", "has_written_contract": True, "referrals_sent": 1}
GOOD_MONEY = monthly("2000.00") + hours(200)  # 24,000 in, 10,000 to serve

HISTORIES = [
    History("quiet good client", "003: challenges can be met", GOOD_MONEY),
    # --- Money and size (002's arithmetic) -----------------------------------------
    History(
        "pays 1,000 a month, costs 2,000 in time",
        "002: this client costs you money",
        monthly("1000.00") + hours(480),
        verdict="fire",
        rule="serious_combination",
        deciding=("not_profitable",),
    ),
    History(
        "costs twice what they pay, likely to change",
        "003: if change is likely, do not give up yet",
        monthly("1000.00") + hours(480),
        likelihood="likely",
        verdict="watch",
        rule="serious_combination_change_likely",
        deciding=("not_profitable",),
    ),
    History(
        "costs 1.1 times what they pay",
        "002 arithmetic, below the size mark",
        monthly("1000.00") + hours(264),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("not_profitable",),
    ),
    History(
        "costs twice and keeps calling about work outside the contract",
        "issue 16 done-when; 002 right to expectation",
        monthly("1000.00") + hours(480) + times(5, "out_of_scope"),
        likelihood="likely",
        verdict="fire",
        rule="too_many_for_leniency",
        deciding=("unreasonable_demands", "not_profitable"),
    ),
    History(
        "expenses push the cost over revenue",
        "003 #5: time and expense",
        monthly("100.00") + hours(10) + (Spent("1400.00"), Spent("300.00", days=200)),
        verdict="fire",
        rule="serious_combination",
        deciding=("not_profitable",),
    ),
    History(
        "old lateness outside the window",
        "figures: 12-month window",
        GOOD_MONEY + (Inv("900.00", issued=700, late=120),),
    ),
    # --- Payment (002: 90 to 120 days late) ----------------------------------------
    History(
        "paid one invoice 100 days late",
        "002: 90-120 days late is a payment risk",
        GOOD_MONEY + (Inv("800.00", issued=200, late=100),),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("slow_to_pay",),
    ),
    History(
        "500 overdue 100 days on a large account",
        "size: 500 overdue is not 50,000 overdue",
        GOOD_MONEY + (Inv("500.00", issued=130, late=None),),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("slow_to_pay",),
    ),
    History(
        "50,000 overdue 100 days",
        "size: overdue above a quarter of yearly revenue",
        monthly("5000.00") + hours(200) + (Inv("50000.00", issued=130, late=None),),
        verdict="fire",
        rule="serious_combination",
        deciding=("slow_to_pay",),
    ),
    History(
        "disputes half the invoices",
        "000 #5: agrees up front, then tries to cut the cost",
        monthly("2000.00", 4) + hours(40) + (Inv("2000.00", disputed=True),) * 4,
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("disputes_invoices",),
    ),
    History(
        "disputes and pays late",
        "003: more than one problem, refer them elsewhere",
        monthly("2000.00", 4)
        + hours(40)
        + (Inv("2000.00", disputed=True),) * 4
        + (Inv("800.00", issued=200, late=100),),
        verdict="fire",
        rule="serious_combination",
        deciding=("slow_to_pay", "disputes_invoices"),
    ),
    History(
        "disputes and pays late, change likely",
        "003: do not give up yet",
        monthly("2000.00", 4)
        + hours(40)
        + (Inv("2000.00", disputed=True),) * 4
        + (Inv("800.00", issued=200, late=100),),
        likelihood="likely",
        verdict="watch",
        rule="serious_combination_change_likely",
        deciding=("slow_to_pay", "disputes_invoices"),
    ),
    History(
        "late, disputing and unprofitable, change likely",
        "bounded leniency: three serious flags",
        monthly("500.00", 4)
        + hours(100)
        + (Inv("500.00", disputed=True),) * 4
        + (Inv("300.00", issued=200, late=100),),
        likelihood="likely",
        verdict="fire",
        rule="too_many_for_leniency",
        deciding=("slow_to_pay", "disputes_invoices", "not_profitable"),
    ),
    # --- Neighbouring categories and billed extras (issue 16 item 4) ---------------
    History(
        "demanding, pays for every extra (logged out of scope)",
        "003: do not fire a client merely for being demanding",
        GOOD_MONEY + times(6, "out_of_scope", billed=True),
    ),
    History(
        "demanding, pays for every extra (logged as complaints)",
        "the same conduct, the same verdict",
        GOOD_MONEY + times(6, "complaint", billed=True),
    ),
    History(
        "demanding, pays for every extra (changes of mind)",
        "000 #6: changes that add to the bill",
        GOOD_MONEY + times(6, "changed_mind", billed=True),
    ),
    History(
        "five unpaid requests outside the scope",
        "002: asks for more than they are entitled to",
        GOOD_MONEY + times(5, "out_of_scope"),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("unreasonable_demands",),
    ),
    History(
        "the same five logged as complaints",
        "003 #1: after the last five deliveries",
        GOOD_MONEY + times(5, "complaint"),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("complains",),
    ),
    History(
        "three requests outside the scope",
        "a pattern, moderate",
        GOOD_MONEY + times(3, "out_of_scope"),
    ),
    History(
        "three complaints",
        "003 #1, moderate",
        GOOD_MONEY + times(3, "complaint"),
    ),
    History(
        "four calls outside agreed hours",
        "000 #3: calls, texts outside agreed hours",
        GOOD_MONEY + times(4, "out_of_hours"),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("unreasonable_demands",),
    ),
    # --- Abuse: severity, repetition, never expiring -------------------------------
    History(
        "a first belittling remark",
        "catalogue #2: tell them once to stop",
        GOOD_MONEY + (Inc("harassment", severity="low"),),
        likelihood="likely",
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("verbal_abuse",),
        step="Tell them once, in writing",
    ),
    History(
        "a second belittling remark",
        "catalogue #2: if it happens again, part ways",
        GOOD_MONEY + (Inc("harassment", 3, "low"), Inc("harassment", 120, "low")),
        likelihood="likely",
        verdict="fire",
        rule="deal_breaker",
        deciding=("verbal_abuse",),
    ),
    History(
        "a remark of high severity",
        "000 #1: sexual harassment needs no warning",
        GOOD_MONEY + (Inc("harassment", severity="high"),),
        likelihood="likely",
        verdict="fire",
        rule="deal_breaker",
        deciding=("verbal_abuse",),
    ),
    History(
        "a threat",
        "001 #1: physically threatening behaviour",
        GOOD_MONEY + (Inc("threat", severity="low"),),
        likelihood="likely",
        verdict="fire",
        rule="deal_breaker",
        deciding=("physical_abuse", "verbal_abuse"),
    ),
    History(
        "physical abuse 14 months ago",
        "001 #1: an apology does not undo it",
        GOOD_MONEY + (Inc("physical_abuse", days=430),),
        likelihood="likely",
        verdict="fire",
        rule="deal_breaker",
        deciding=("physical_abuse",),
    ),
    History(
        "a contact flagged abusive by staff",
        "brief: staff flag a contact as abusive",
        GOOD_MONEY,
        abuse_flag=True,
        verdict="fire",
        rule="deal_breaker",
        deciding=("verbal_abuse",),
    ),
    # --- Other deal-breakers by severity -------------------------------------------
    History(
        "a first low-severity unethical suggestion",
        "003 #6, weighed by severity",
        GOOD_MONEY + (Inc("unethical_request", severity="low"),),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("unethical",),
        step="Refuse in writing",
    ),
    History(
        "an unethical request of medium severity",
        "003 #6: reason enough on its own",
        GOOD_MONEY + (Inc("unethical_request"),),
        verdict="fire",
        rule="deal_breaker",
        deciding=("unethical",),
    ),
    History(
        "a first low legal risk",
        "000 #9, weighed by severity",
        GOOD_MONEY + (Inc("legal_risk", severity="low"),),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("legal_liability",),
    ),
    History(
        "legal risk twice, a year apart",
        "000 #9: shoddy work, shared liability",
        GOOD_MONEY + (Inc("legal_risk", 20, "low"), Inc("legal_risk", 400, "low")),
        verdict="fire",
        rule="deal_breaker",
        deciding=("legal_liability",),
    ),
    History(
        "one misunderstanding",
        "000 #2: occasional misunderstandings are normal",
        GOOD_MONEY + (Inc("lying"),),
    ),
    History(
        "two lies, a year and a half apart",
        "002: a record of trying to fool you",
        GOOD_MONEY + (Inc("lying", 30), Inc("lying", 540)),
        verdict="fire",
        rule="deal_breaker",
        deciding=("dishonest",),
    ),
    # --- Blanks: unknown is not no (issue 16 item 3) -------------------------------
    History(
        "fixed price, four changes of mind, never refers",
        "000 #6 and 003 #4: two moderate flags",
        GOOD_MONEY + times(4, "changed_mind"),
        client={"referrals_sent": 0, "client_since_years": 3},
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("changes_mind", "never_refers"),
    ),
    History(
        "the same, billing model and referrals not recorded",
        "a blank neither proposes nor suppresses: the checklist asks",
        GOOD_MONEY + times(4, "changed_mind"),
        client={"billing_model": "", "referrals_sent": None, "client_since_years": 3},
        asked=("changes_mind", "never_refers"),
    ),
    History(
        "billed by the hour, four changes of mind, never refers",
        "000 #6: fine if you bill hourly",
        GOOD_MONEY + times(4, "changed_mind"),
        client={"billing_model": "hourly", "referrals_sent": 0, "client_since_years": 3},
    ),
    # --- Judgement flags, long-standing relationships ------------------------------
    History(
        "plays a rival's quote and threatens a public review",
        "000 #8 and 002: two serious flags",
        GOOD_MONEY + (Inc("competitor_pressure"), Inc("reputation_threat", days=20)),
        verdict="fire",
        rule="serious_combination",
        deciding=("plays_competitors", "reputation_threat"),
    ),
    History(
        "an old client with two serious problems",
        "003: a conversation before a letter",
        GOOD_MONEY + (Inc("competitor_pressure"), Inc("reputation_threat", days=20)),
        long_standing=True,
        verdict="fire",
        rule="serious_combination",
        deciding=("plays_competitors", "reputation_threat"),
        step="A conversation comes before any letter.",
    ),
    # --- Complaints that follow deliveries (issue 17 item 2) ----------------------
    History(
        "complains after each of five deliveries, ignores advice twice",
        "003 #1: after each of the last five deliveries; two moderate flags",
        GOOD_MONEY + times(2, "ignored_advice") + every_45_days(5, complained=5),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("ignores_advice", "complains"),
    ),
    History(
        "complains after three of five deliveries, ignores advice twice",
        "003 #1: most of the last five deliveries",
        GOOD_MONEY + times(2, "ignored_advice") + every_45_days(5, complained=3),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("ignores_advice", "complains"),
    ),
    History(
        "complains after two of five deliveries, ignores advice twice",
        "two complaints over seven months are no pattern",
        GOOD_MONEY + times(2, "ignored_advice") + every_45_days(5, complained=2),
    ),
    History(
        "the same five complaints about deliveries, fixes billed as extra",
        "a demanding client who pays for every extra is a good client",
        GOOD_MONEY
        + times(2, "ignored_advice")
        + tuple(Dlv(20 + 45 * i, complaint=True, billed=True) for i in range(5)),
    ),
    History(
        "ignores advice twice and complains three times",
        "000 #7 and 003 #1: two moderate flags",
        GOOD_MONEY + times(2, "ignored_advice") + times(3, "complaint"),
        verdict="watch",
        rule="one_serious_or_moderates",
        deciding=("ignores_advice", "complains"),
    ),
]


def _build(business, owner, history: History) -> Client:
    today = timezone.localdate()
    fields = {**KNOWN, **history.client}
    years = fields.pop("client_since_years", 2)
    acme = factories.client(
        business,
        name=history.name[:60],
        client_since=today - timedelta(days=366 * years),
        payment_terms_days=30,
        **fields,
    )
    for record in history.records:
        if isinstance(record, Inc):
            factories.incident(
                acme,
                by=owner,
                category=record.category,
                severity=record.severity,
                occurred_at=timezone.now() - timedelta(days=record.days),
                outside_hours=record.outside_hours,
                billed_as_extra=record.billed,
            )
        elif isinstance(record, Inv):
            issued = today - timedelta(days=record.issued)
            due = issued + timedelta(days=30)
            paid = None if record.late is None else due + timedelta(days=record.late)
            factories.invoice(
                acme,
                issued_on=issued,
                due_on=due,
                paid_on=min(paid, today) if paid else None,
                amount=Decimal(record.amount),
                disputed=record.disputed,
                dispute_note="Said the work was not worth it." if record.disputed else "",
            )
        elif isinstance(record, Time):
            factories.time_entry(
                acme,
                minutes=record.minutes,
                date=today - timedelta(days=record.days),
                kind=record.kind,
                cost_rate=Decimal(record.rate),
            )
        elif isinstance(record, Dlv):
            work = factories.delivery(acme, delivered_on=today - timedelta(days=record.days))
            if record.complaint:
                factories.incident(
                    acme,
                    by=owner,
                    category="complaint",
                    occurred_at=timezone.now() - timedelta(days=record.days - 3),
                    billed_as_extra=record.billed,
                    delivery=work,
                )
        else:
            Expense.objects.create(
                business=business,
                client=acme,
                date=today - timedelta(days=record.days),
                amount=Decimal(record.amount),
            )
    if history.abuse_flag:
        contact = factories.contact(acme, name="Viktor")
        AbuseFlag.objects.create(
            business=business, contact=contact, reason="Shouted at Sam.", raised_by=owner
        )
    return acme


def review(acme: Client, owner, history: History) -> Assessment:
    """The owner's review with the evidence's proposals accepted as they stand."""
    assessment, _created = services.start_assessment(acme, user=owner)
    proposals = evidence.propose(evidence.gather(acme))
    proposed, asked = evidence.proposed_keys(proposals), evidence.asked_keys(proposals)
    answers = {
        flag.key: (
            scoring.Answer.YES
            if flag.key in proposed
            else scoring.Answer.UNSURE
            if flag.key in asked
            else scoring.Answer.NO,
            "",
        )
        for flag in CATALOGUE
    }
    services.save_answers(assessment, answers, proposed=proposed)
    services.save_weighing(
        assessment,
        likelihood=history.likelihood,
        long_standing=history.long_standing,
        note="",
    )
    return services.complete_assessment(assessment)


def test_the_table_is_large_and_reaches_every_verdict_and_rule():
    assert len(HISTORIES) >= 30
    assert {h.verdict for h in HISTORIES} == {"keep", "watch", "fire"}
    assert {h.rule for h in HISTORIES} == set(scoring.Rule.values)
    assert len({h.name for h in HISTORIES}) == len(HISTORIES)


@pytest.mark.parametrize("history", HISTORIES, ids=[h.name for h in HISTORIES])
def test_history(business, owner, history):
    acme = _build(business, owner, history)
    done = review(acme, owner, history)
    deciding = tuple(r["flag"] for r in done.reasons if r.get("deciding"))
    assert (done.verdict, done.rule, deciding) == (history.verdict, history.rule, history.deciding)
    unsure = tuple(r["flag"] for r in done.reasons if r["answer"] == "unsure")
    assert unsure == history.asked
    steps = " ".join(step.get("text", "") for step in done.next_steps)
    if history.step:
        assert history.step in steps
    # Every deciding flag carries the facts it came from (records linked), except one
    # staff raised by flagging a contact, which links the contact.
    for reason in done.reasons:
        if reason.get("deciding"):
            assert reason["facts"], reason["flag"]
            assert any(fact["links"] for fact in reason["facts"]), reason["flag"]
