"""The letter's one documented fact, for each of the 19 flags as the one reason.

Each case is a client record (incidents, invoices, time), an assessment with that
flag as its only reason, a plan built from the defaults alone, and the letter read
back from the built document: a sentence that starts with a capital, names what
the client did with the dates it happened, and says nothing of the business's
economics, internal counts or the catalogue.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from assessments import pdf
from assessments.plan import default_choices
from assessments.redflags import CATALOGUE
from assessments.services.plans import create_plan, load_situation
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SINCE = TODAY - timedelta(days=800)


def _at(days_ago: int) -> datetime:
    return timezone.now().replace(hour=11, minute=0) - timedelta(days=days_ago)


def _day(value) -> str:
    return date_format(value, "DATE_FORMAT")


def _incidents(category: str, *days_ago: int):
    def make(client, owner):
        for days in days_ago:
            factories.incident(
                client,
                by=owner,
                category=category,
                occurred_at=_at(days),
                description=f"Logged {category}.",
            )
        return [_day(timezone.localdate(_at(days))) for days in days_ago]

    return make


def _late_invoices(client, owner):
    issued = TODAY - timedelta(days=200)
    factories.invoice(
        client,
        number="2026-014",
        issued_on=issued,
        due_on=issued + timedelta(days=30),
        paid_on=issued + timedelta(days=135),
        amount=Decimal("900.00"),
    )
    return ["2026-014", _day(issued + timedelta(days=30)), _day(issued + timedelta(days=135))]


def _disputed_invoices(client, owner):
    issued = TODAY - timedelta(days=120)
    factories.invoice(
        client,
        number="2026-021",
        issued_on=issued,
        due_on=issued + timedelta(days=30),
        paid_on=issued + timedelta(days=31),
        amount=Decimal("1500.00"),
        disputed=True,
        dispute_note="Said the second round was included.",
    )
    return ["2026-021", _day(issued)]


def _complaints_after_deliveries(client, owner):
    """Five monthly deliveries, each followed two days later by a complaint about it: the
    article's own example, spread too thinly for the 90-day count."""
    days = []
    for months_ago in (5, 4, 3, 2, 1):
        delivered = TODAY - timedelta(days=30 * months_ago)
        work = factories.delivery(client, delivered_on=delivered, title=f"Issue {6 - months_ago}")
        factories.incident(
            client,
            by=owner,
            category="complaint",
            occurred_at=_at(30 * months_ago - 2),
            description="Unhappy with the issue.",
            delivery=work,
        )
        days.append(delivered)
    # The letter names the latest four, as it does every list of dates.
    return [_day(value) for value in days[-4:]]


def _unbilled_time(client, owner):
    for days in (20, 50, 80):
        factories.time_entry(client, minutes=600, date=TODAY - timedelta(days=days))
    return [date_format(SINCE, "YEAR_MONTH_FORMAT")]


def _since_only(client, owner):
    return [date_format(SINCE, "YEAR_MONTH_FORMAT")]


# flag -> builds the record and returns what the letter must name (dates, numbers),
# and words of the client's conduct the fact must contain.
CASES = {
    "physical_abuse": (_incidents("physical_abuse", 30), "physically threatening"),
    "verbal_abuse": (_incidents("verbal_abuse", 12, 40), "shouted at or insulted"),
    "dishonest": (_incidents("lying", 25, 60), "did not match what we had agreed"),
    "unethical": (_incidents("unethical_request", 15), "not willing to do"),
    "legal_liability": (_incidents("legal_risk", 21), "legal risk"),
    "unreasonable_demands": (_incidents("out_of_hours", 5, 9, 14), "outside the hours we agreed"),
    "slow_to_pay": (_late_invoices, "was paid on"),
    "disputes_invoices": (_disputed_invoices, "disputed"),
    "not_profitable": (_unbilled_time, "beyond what our current arrangement"),
    "takes_advantage": (_since_only, "extra work beyond our agreement"),
    "plays_competitors": (_incidents("competitor_pressure", 33), "another provider's prices"),
    "reputation_threat": (_incidents("reputation_threat", 8), "criticise our business in public"),
    "changes_mind": (_incidents("changed_mind", 10, 24, 38), "changed what you had asked for"),
    "ignores_advice": (_incidents("ignored_advice", 18, 70), "against our advice"),
    "complains": (_incidents("complaint", 3, 17, 31, 45), "unhappy with our work"),
    "complains_after_deliveries": (_complaints_after_deliveries, "after each of our deliveries"),
    "indecisive": (_since_only, "without a clear decision"),
    "no_more_business": (_since_only, "no longer set up to serve well"),
    "never_refers": (_since_only, "no longer fits"),
    "no_longer_fits": (_since_only, "changed direction"),
}


# Cases beyond one per flag: the record that tells the same flag another way.
VARIANTS = {"complains_after_deliveries": "complains"}


def test_every_flag_has_a_case():
    assert set(CASES) - set(VARIANTS) == {flag.key for flag in CATALOGUE}


def _forbidden_words() -> set[str]:
    """The words for cost to serve, profit and margin in every shipped language."""
    words = {"cost to serve", "profit", "margin", "revenue"}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for msgid in ("Cost to serve", "Profit", "Revenue", "Not profitable"):
                words.add(gettext(msgid).lower())
    return words


def _letter_text(plan) -> str:
    html = pdf.plan_html(plan)
    section = re.search(r'<section id="letter".*?</section>', html, re.S).group(0)
    body = re.search(r'<div class="letter"[^>]*>.*?</div>', section, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", (body or section).group(0))).split())


@pytest.mark.parametrize("flag_key", list(CASES))
def test_the_letter_names_the_conduct_in_dated_concrete_terms(business, owner, flag_key):
    build, conduct = CASES[flag_key]
    flag_key = VARIANTS.get(flag_key, flag_key)
    client = factories.client(business, name="Kai Client", client_since=SINCE)
    factories.contact(client, name="Kai")
    must_name = build(client, owner)
    flag = next(f for f in CATALOGUE if f.key == flag_key)
    snapshot = [
        helpers.reason(flag_key, str(flag.title), str(flag.tier.label), "12 (8 in 12 months)")
    ]
    assessment = helpers.completed_assessment(client, reasons=snapshot)
    s = load_situation(assessment)
    choices = default_choices(s)
    assert choices["reason_flag"] == flag_key
    fact = choices["reason_fact"]
    plan = create_plan(assessment=assessment, choices=choices, partners=[], user=owner)

    letter = _letter_text(plan)
    assert fact in letter
    assert fact[0].isupper(), fact
    assert conduct in fact
    for value in must_name:
        assert value in fact, (value, fact)
    lowered = letter.lower()
    assert not [w for w in _forbidden_words() if w in lowered], letter
    assert not re.search(r"\(\s*\d", letter), letter  # no "(8 in 12 months)"
    assert not re.search(r"#\s*\d|\b00[0-4]\b|\bincident \d", letter), letter
    assert str(flag.title) not in letter


def test_the_letter_fact_follows_the_language_it_is_built_in(business, owner):
    """Messages, not finished text: under another language the dates change with it."""
    client = factories.client(business, name="Kai Client", client_since=SINCE)
    _incidents("complaint", 3)(client, owner)
    flag = next(f for f in CATALOGUE if f.key == "complains")
    assessment = helpers.completed_assessment(
        client, reasons=[helpers.reason("complains", str(flag.title), "Moderate")]
    )
    s = load_situation(assessment)
    english = default_choices(s)["reason_fact"]
    with translation.override("ru"):
        russian = default_choices(s)["reason_fact"]
        russian_date = date_format(timezone.localdate(_at(3)), "DATE_FORMAT")
    assert russian_date in russian
    assert russian != english or russian_date == _day(timezone.localdate(_at(3)))
