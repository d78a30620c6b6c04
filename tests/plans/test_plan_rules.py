"""The plan's choices: defaults and server-side rules, as tables over the situations that
change them (safety, money owed, no contract, Watch against Fire, cooling-off)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.forms.plans import PlanForm
from assessments.models import Invoice, ReferralPartner
from assessments.plan import PlanSituation, default_choices, reasons_from_snapshot
from assessments.plan_facts import letter_fact
from assessments.plan_text import People, PlanChoices, build_text
from assessments.services.plans import load_situation
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + timedelta(days=1)


LEGAL = helpers.reason(
    "legal_liability",
    "Legal liability",
    "Deal-breaker",
    "1 incident that could cause legal trouble in the last 12 months",
)


def _situation(business, variant: str):
    """A client and its completed assessment for one named situation."""
    client = factories.client(business, name=f"Client {variant}", has_written_contract=True)
    reasons = None
    kwargs: dict = {}
    if variant == "safety":
        reasons = [helpers.ABUSE, helpers.SLOW]
    elif variant == "watch":
        reasons, kwargs = [helpers.SLOW], {"verdict": "watch"}
    elif variant == "cooling_off":
        kwargs = {"cooling_off": True}
    elif variant == "no_contract":
        client.has_written_contract = False
        client.save(update_fields=["has_written_contract"])
    elif variant == "abuse_flag_only":
        helpers.flag_abuse(client)
    elif variant in ("on_time", "late_payer", "disputes", "abuse_incident"):
        reasons = [helpers.UNPROFITABLE, helpers.COMPLAINS]
    elif variant == "legal":
        reasons = [LEGAL]
    if variant == "late_payer":  # 105 days late, paid: nothing owed, nothing confirmed
        factories.invoice(
            client,
            issued_on=TODAY - timedelta(days=200),
            due_on=TODAY - timedelta(days=170),
            paid_on=TODAY - timedelta(days=65),
            amount=Decimal("900.00"),
        )
    if variant == "disputes":
        helpers.paid_invoice(client, amount="500.00", days_ago=90, disputed=True)
    if variant == "abuse_incident":
        factories.incident(client, category="harassment", description="Belittled our designer.")
    if variant != "no_invoices":
        helpers.paid_invoice(client, amount="1200.00")
    if variant == "money_owed":
        helpers.open_invoice(client, amount="800.00", due_in_days=20)
    assessment = helpers.completed_assessment(client, reasons=reasons, **kwargs)
    return client, assessment, load_situation(assessment)


# variant, reason, method, goodwill, goodwill amount, announce (days from today), safety,
# apology, a referral kind filled in (where one is owed)
DEFAULTS = [
    ("fire", "slow_to_pay", "in_person", "none", "0.00", 1, False, True, True),
    ("on_time", "not_profitable", "in_person", "refund_last", "1200.00", 1, False, True, True),
    ("late_payer", "not_profitable", "in_person", "none", "0.00", 1, False, True, True),
    ("disputes", "not_profitable", "in_person", "none", "0.00", 1, False, True, True),
    (
        "abuse_incident",
        "not_profitable",
        "in_person",
        "refund_last",
        "1200.00",
        1,
        False,
        False,
        True,
    ),
    ("legal", "legal_liability", "in_person", "refund_last", "1200.00", 1, False, True, False),
    ("safety", "verbal_abuse", "writing", "none", "0.00", 1, True, False, False),
    ("abuse_flag_only", "slow_to_pay", "writing", "none", "0.00", 1, True, False, False),
    ("money_owed", "slow_to_pay", "in_person", "none", "0.00", 21, False, True, True),
    ("no_contract", "slow_to_pay", "in_person", "none", "0.00", 1, False, True, True),
    ("no_invoices", "slow_to_pay", "in_person", "none", "0.00", 1, False, True, True),
    ("watch", "slow_to_pay", "in_person", "none", "0.00", 1, False, True, True),
    ("cooling_off", "slow_to_pay", "in_person", "none", "0.00", 3, False, True, True),
]


@pytest.mark.parametrize(
    "variant,reason,method,goodwill,amount,announce_in,safety,apology,referral",
    DEFAULTS,
    ids=[row[0] for row in DEFAULTS],
)
def test_defaults(
    business, variant, reason, method, goodwill, amount, announce_in, safety, apology, referral
):
    client, _assessment, s = _situation(business, variant)
    d = default_choices(s)
    assert s.safety is safety
    assert d["reason_flag"] == reason
    # The letter's fact is written for the client, not the app's statistic.
    assert d["reason_fact"] == letter_fact(reason, s)
    assert d["reason_fact"] not in [f.text for r in s.reasons for f in r.facts]
    assert d["reason_fact"][:1].isupper()
    assert d["method"] == method
    assert d["goodwill"] == goodwill
    assert d["goodwill_amount"] == Decimal(amount)
    assert d["announce_on"] == TODAY + timedelta(days=announce_in)
    assert d["apology"] is apology
    assert d["notice_kind"] == "days" and d["notice_days"] == business.notice_period_days
    assert d["partners"] == [] and bool(d["provider_kind"]) is referral
    # The defaults alone validate, as the form would post them.
    form = _form(client, s, _as_post(d), business)
    assert form.is_valid(), form.errors


def _as_post(d: dict) -> dict:
    data = {}
    for name, value in d.items():
        if value is None or value is False or value == []:
            continue
        data[name] = "on" if value is True else str(value)
    return data


def _people(client) -> People:
    return People(
        business="Alpha Studio",
        owner="Olga Owner",
        client=client.name,
        addressee="Ελένη Παπαδοπούλου",
        currency="EUR",
        client_since=client.client_since,
    )


def _resolved(s: PlanSituation, **overrides) -> PlanChoices:
    d = default_choices(s)
    d.update(overrides)
    reason = next(r for r in s.reasons if r.key == d["reason_flag"])
    return PlanChoices(
        reason=reason,
        fact=d["reason_fact"],
        goodwill=d["goodwill"],
        goodwill_amount=d["goodwill_amount"],
        goodwill_invoice=s.invoice(d["goodwill_invoice"]),
        apology=d["apology"],
        partners=(),
        provider_kind=d.get("provider_kind") or "a larger agency",
        notice_kind=d["notice_kind"],
        notice_days=d["notice_days"],
        work_ends_on=d["work_ends_on"],
        method=d["method"],
        witness=d["witness"],
        announce_on=d["announce_on"],
    )


# variant, words that must appear in the plan's text, words that must not
TEXT = [
    ("on_time", ["There is a written contract", "refunding invoice", "€1,200"], ["Safety"]),
    ("safety", ["Safety first", "in writing only", "No referral is owed"], ["refunding"]),
    ("money_owed", ["Collect before you announce: €800"], ["Safety"]),
    ("no_contract", ["There is no written contract", "first e-mails included"], []),
    ("cooling_off", ["do not act before"], []),
]


@pytest.mark.parametrize("variant,present,absent", TEXT, ids=[row[0] for row in TEXT])
def test_text_follows_the_situation(business, variant, present, absent):
    client, _assessment, s = _situation(business, variant)
    overrides = {"provider_kind": ""} if variant == "safety" else {}
    text = build_text(s, _resolved(s, **overrides), _people(client))
    everything = " ".join(
        [text.how_and_when, text.cooling_off, text.owed, text.collect_first, text.safety_note]
        + text.talking_points
        + text.letter
        + text.contract
        + text.after
    )
    for words in present:
        assert words in everything
    for words in absent:
        assert words not in everything


def test_talking_points_and_letter_follow_the_steps_in_order(business):
    client, _assessment, s = _situation(business, "on_time")
    text = build_text(s, _resolved(s), _people(client))
    starts = [
        "Thank them",
        "Frame it",
        "Offer goodwill",
        "Apologise",
        "Suggest alternatives",
        "Give notice",
    ]
    assert [point.split(":")[0] for point in text.talking_points] == [
        "Thank them",
        "Frame it with the one documented fact, never a personal attack",
        "Offer goodwill",
        "Apologise",
        "Suggest alternatives",
        "Give notice",
    ]
    assert all(any(p.startswith(s) for p in text.talking_points) for s in starts)
    letter = text.letter
    assert letter[0].startswith("Thank you for working with Alpha Studio")
    assert letter[1].startswith(letter_fact("not_profitable", s))
    assert "refunding invoice" in letter[2]
    assert "I am sorry" in letter[3]
    assert "You might look for a provider that specialises in the work you need" in letter[4]
    assert "we will continue until" in letter[5]
    assert text.greeting == "Dear Ελένη Παπαδοπούλου,"
    assert "one reason is enough" in text.keep_brief


def test_the_letter_gives_exactly_one_reason(business):
    client, _assessment, s = _situation(business, "fire")
    text = build_text(s, _resolved(s), _people(client))
    letter = " ".join(text.letter)
    assert letter_fact("slow_to_pay", s) in letter
    for other in helpers.SLOW["facts"] + helpers.UNPROFITABLE["facts"] + helpers.COMPLAINS["facts"]:
        assert other["text"] not in letter
    for title in ("Not profitable", "Constantly complains", "Consistently slow to pay"):
        assert title not in letter


def test_reasons_from_snapshot_orders_by_severity_and_skips_unknown_flags():
    reasons = reasons_from_snapshot(
        [helpers.COMPLAINS, {"flag": "no_such_flag", "facts": []}, helpers.SLOW],
        confirmed_keys=["never_refers", "physical_abuse"],
    )
    assert [r.key for r in reasons] == [
        "physical_abuse",
        "slow_to_pay",
        "complains",
        "never_refers",
    ]
    assert reasons[0].facts == () and reasons[0].is_safety
    assert [f.text for f in reasons[2].facts] == [f["text"] for f in helpers.COMPLAINS["facts"]]


def _form(client, s, data, business):
    return PlanForm(
        data,
        situation=s,
        invoices=Invoice.objects.filter(business=business, client=client),
        partners=ReferralPartner.objects.filter(business=business),
        currency="EUR",
    )


def _own(client, name):
    return {
        "paid": lambda: str(client.invoices.filter(paid_on__isnull=False).first().pk),
        "open": lambda: str(client.invoices.filter(paid_on__isnull=True).first().pk),
    }[name]()


# variant, changes to a valid POST, the field that must carry an error (None: valid)
RULES = [
    ("fire", {}, None),
    ("fire", {"provider_kind": ""}, "provider_kind"),
    ("fire", {"reason_flag": "verbal_abuse"}, "reason_flag"),
    ("fire", {"announce_on": TODAY.isoformat()}, "announce_on"),
    ("fire", {"announce_on": (TODAY + timedelta(days=400)).isoformat()}, "announce_on"),
    ("fire", {"announce_on": "2026-02-30"}, "announce_on"),
    ("fire", {"notice_days": "0"}, "notice_days"),
    ("fire", {"notice_days": "366"}, "notice_days"),
    ("fire", {"notice_kind": "end_of_work"}, "work_ends_on"),
    ("fire", {"notice_kind": "end_of_work", "work_ends_on": TOMORROW.isoformat()}, "work_ends_on"),
    (
        "fire",
        {"notice_kind": "end_of_work", "work_ends_on": (TODAY + timedelta(days=45)).isoformat()},
        None,
    ),
    ("fire", {"goodwill": "refund_last"}, None),
    ("fire", {"goodwill": "refund_last", "goodwill_amount": "5000"}, "goodwill_amount"),
    ("fire", {"goodwill": "cancel_open"}, "goodwill_invoice"),
    ("fire", {"goodwill": "waive_fee"}, "goodwill_amount"),
    ("fire", {"goodwill": "waive_fee", "goodwill_amount": "150"}, None),
    ("fire", {"goodwill": "waive_fee", "goodwill_amount": "-5"}, "goodwill_amount"),
    ("fire", {"reason_fact": ""}, "reason_fact"),
    ("fire", {"reason_fact": "x" * 2001}, "reason_fact"),
    ("fire", {"reason_fact": "null\x00byte"}, "reason_fact"),
    ("fire", {"method": "carrier_pigeon"}, "method"),
    ("no_invoices", {"goodwill": "refund_last"}, "goodwill_invoice"),
    ("money_owed", {"goodwill": "cancel_open"}, None),
    ("money_owed", {"goodwill": "cancel_open", "goodwill_invoice": "paid"}, "goodwill_invoice"),
    ("money_owed", {"goodwill": "refund_last", "goodwill_invoice": "open"}, "goodwill_invoice"),
    ("safety", {"method": "in_person"}, "method"),
    ("safety", {"method": "video"}, "method"),
    ("safety", {"method": "phone"}, "witness"),
    ("safety", {"method": "phone", "witness": "Stan Staff"}, None),
    ("safety", {"method": "writing", "provider_kind": ""}, None),
    ("abuse_flag_only", {"method": "in_person"}, "method"),
    ("cooling_off", {"announce_on": TOMORROW.isoformat()}, "announce_on"),
    ("cooling_off", {"announce_on": (TODAY + timedelta(days=3)).isoformat()}, None),
    ("watch", {}, None),
]


@pytest.mark.parametrize(
    "variant,changes,error_field",
    RULES,
    ids=[f"{row[0]}-{'+'.join(row[1]) or 'valid'}" for row in RULES],
)
def test_rules(business, variant, changes, error_field):
    client, _assessment, s = _situation(business, variant)
    changes = dict(changes)
    if changes.get("goodwill_invoice") in ("paid", "open"):
        changes["goodwill_invoice"] = _own(client, changes["goodwill_invoice"])
    if variant == "safety" and "method" not in changes:
        changes["method"] = "writing"
    base = {"reason_flag": s.reasons[0].key} if variant == "safety" else {}
    form = _form(client, s, helpers.plan_post(**base, **changes), business)
    if error_field is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert error_field in form.errors, form.errors


def test_goodwill_fills_in_the_amount_from_the_invoices(business):
    client, _assessment, s = _situation(business, "money_owed")
    form = _form(
        client, s, helpers.plan_post(goodwill="cancel_open", goodwill_amount="1"), business
    )
    assert form.is_valid(), form.errors
    open_invoice = client.invoices.get(paid_on__isnull=True)
    assert form.cleaned_data["goodwill_invoice"] == open_invoice.pk
    assert form.cleaned_data["goodwill_amount"] == Decimal("800.00")  # all of it, always
    form = _form(client, s, helpers.plan_post(goodwill="refund_last"), business)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["goodwill_amount"] == Decimal("1200.00")


def test_invoice_and_partner_choices_are_limited_to_the_client_and_business(
    business, other_business
):
    client, _assessment, s = _situation(business, "fire")
    other_client = factories.client(business, name="Someone else")
    theirs = helpers.paid_invoice(other_client)
    foreign_partner = helpers.partner(other_business, name="Not yours")
    form = _form(
        client,
        s,
        helpers.plan_post(goodwill="refund_last", goodwill_invoice=str(theirs.pk)),
        business,
    )
    assert not form.is_valid() and "goodwill_invoice" in form.errors
    data = helpers.plan_post(provider_kind="")
    data["partners"] = [str(foreign_partner.pk)]
    form = _form(client, s, data, business)
    assert not form.is_valid() and "partners" in form.errors


def test_safety_form_offers_only_writing_and_phone(business):
    client, _assessment, s = _situation(business, "safety")
    form = _form(client, s, None, business)
    assert [value for value, _label in form.fields["method"].choices] == ["phone", "writing"]
    assert not form.fields["partners"].required and not form.fields["provider_kind"].required


def test_a_review_completed_by_the_assessment_service_feeds_the_plan(business, owner):
    """The real snapshot shape: facts with codes and links, "unsure" entries, notes."""
    from assessments.redflags import CATALOGUE
    from assessments.services import assessment as reviews

    client = factories.client(business, name="Иван Петров")
    contact = factories.contact(client, name="Иван")
    for days in (3, 10):
        factories.incident(
            client,
            by=owner,
            contact=contact,
            category="verbal_abuse",
            severity="high",
            occurred_at=timezone.now() - timedelta(days=days),
            description="Shouted at the designer.",
        )
    assessment, _created = reviews.start_assessment(client, user=owner)
    answers = {flag.key: ("no", "") for flag in CATALOGUE}
    answers["verbal_abuse"] = ("yes", "")
    answers["no_longer_fits"] = ("yes", "We no longer do print work.")
    answers["complains"] = ("unsure", "")
    reviews.save_answers(assessment, answers, proposed=["verbal_abuse"])
    reviews.save_weighing(assessment, likelihood="unlikely", long_standing=False, note="")
    assessment = reviews.complete_assessment(assessment)
    assert assessment.verdict == "fire"

    s = load_situation(assessment)
    assert [r.key for r in s.reasons] == ["verbal_abuse", "no_longer_fits"]  # not "unsure"
    abuse, fit = s.reasons
    assert abuse.facts and "2 incidents" in abuse.facts[0].text
    assert any("incident" in label for fact in abuse.facts for label in fact.links)
    assert fit.facts == () and fit.framing == "We no longer do print work."
    d = default_choices(s)
    assert s.safety and d["method"] == "writing"
    assert d["reason_flag"] == "verbal_abuse" and d["reason_fact"] == letter_fact("verbal_abuse", s)
    assert "you shouted at or insulted members of our team" in d["reason_fact"]
    assert d["announce_on"] == assessment.act_not_before
