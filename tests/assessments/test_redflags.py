"""The red-flag catalogue: shape, order and the incident-category mapping.

Pure module: no database, and no string is translated here (lazy strings are
checked for being lazy, not rendered), so these run with or without Django set up.
"""

from collections import Counter

import pytest
from django.utils.functional import Promise

from assessments.redflags import (
    BY_KEY,
    CATALOGUE,
    INCIDENT_CATEGORY_FLAGS,
    SAFETY_FLAG_KEYS,
    RedFlag,
    Tier,
    flags_in_tier,
    get_flag,
)

INCIDENT_CATEGORIES = {
    "physical_abuse",
    "verbal_abuse",
    "harassment",
    "threat",
    "lying",
    "unreasonable_demand",
    "out_of_scope",
    "out_of_hours",
    "complaint",
    "changed_mind",
    "ignored_advice",
    "competitor_pressure",
    "unethical_request",
    "legal_risk",
    "reputation_threat",
    "payment_dispute",
    "other",
}


def test_nineteen_flags_numbered_1_to_19_in_order():
    assert len(CATALOGUE) == 19
    assert [flag.number for flag in CATALOGUE] == list(range(1, 20))


def test_keys_are_unique_and_indexed():
    keys = [flag.key for flag in CATALOGUE]
    assert len(set(keys)) == 19
    assert list(BY_KEY) == keys
    assert all(BY_KEY[flag.key] is flag for flag in CATALOGUE)


def test_tiers_count_5_7_7_and_are_contiguous():
    assert Counter(flag.tier for flag in CATALOGUE) == {
        Tier.DEAL_BREAKER: 5,
        Tier.SERIOUS: 7,
        Tier.MODERATE: 7,
    }
    # Numbers 1-5, 6-12, 13-19: catalogue order is also severity order.
    assert list(CATALOGUE) == sorted(CATALOGUE, key=lambda flag: flag.sort_key)


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        (
            Tier.DEAL_BREAKER,
            ["physical_abuse", "verbal_abuse", "dishonest", "unethical", "legal_liability"],
        ),
        (
            Tier.SERIOUS,
            [
                "unreasonable_demands",
                "slow_to_pay",
                "disputes_invoices",
                "not_profitable",
                "takes_advantage",
                "plays_competitors",
                "reputation_threat",
            ],
        ),
        (
            Tier.MODERATE,
            [
                "changes_mind",
                "ignores_advice",
                "complains",
                "indecisive",
                "no_more_business",
                "never_refers",
                "no_longer_fits",
            ],
        ),
    ],
)
def test_flags_in_tier(tier, expected):
    assert [flag.key for flag in flags_in_tier(tier)] == expected
    # A plain string works too: tiers arrive from forms and JSON as values.
    assert flags_in_tier(tier.value) == flags_in_tier(tier)


def test_flags_in_tier_rejects_unknown_tier():
    with pytest.raises(ValueError):
        flags_in_tier("catastrophic")


def test_tier_values():
    assert [tier.value for tier in Tier] == ["deal_breaker", "serious", "moderate"]


def test_get_flag():
    assert get_flag("slow_to_pay").number == 7
    assert get_flag("physical_abuse").tier == Tier.DEAL_BREAKER


@pytest.mark.parametrize("key", ["nope", "", "Physical_Abuse", "1"])
def test_get_flag_unknown_key_raises_key_error(key):
    with pytest.raises(KeyError, match="Unknown red flag key"):
        get_flag(key)


@pytest.mark.parametrize("flag", CATALOGUE, ids=lambda flag: flag.key)
def test_user_facing_text_is_marked_for_translation(flag):
    assert isinstance(flag.title, Promise)
    assert isinstance(flag.question, Promise)
    assert isinstance(flag.explanation, Promise)
    assert flag.source


def test_flags_are_frozen():
    with pytest.raises(AttributeError):
        CATALOGUE[0].tier = Tier.MODERATE  # type: ignore[misc]


def test_evidence_rules():
    assert {flag.key: flag.evidence_rule for flag in CATALOGUE} == {
        "physical_abuse": "abuse_incidents",
        "verbal_abuse": "abuse_incidents",
        "dishonest": "lying_incidents",
        "unethical": "unethical_incidents",
        "legal_liability": "legal_incidents",
        "unreasonable_demands": "out_of_hours_and_demands",
        "slow_to_pay": "late_payment",
        "disputes_invoices": "disputes_and_discounts",
        "not_profitable": "unprofitable",
        "takes_advantage": None,
        "plays_competitors": "competitor_incidents",
        "reputation_threat": "reputation_incidents",
        "changes_mind": "scope_changes",
        "ignores_advice": "ignored_advice_incidents",
        "complains": "complaints",
        "indecisive": None,
        "no_more_business": None,
        "never_refers": "no_referrals",
        "no_longer_fits": None,
    }


def test_every_incident_category_is_mapped_to_known_flags():
    assert set(INCIDENT_CATEGORY_FLAGS) == INCIDENT_CATEGORIES
    for keys in INCIDENT_CATEGORY_FLAGS.values():
        assert all(key in BY_KEY for key in keys)
        assert list(keys) == sorted(keys, key=lambda key: BY_KEY[key].number)


@pytest.mark.parametrize(
    ("category", "flag_keys"),
    [
        ("physical_abuse", ("physical_abuse",)),
        ("threat", ("physical_abuse", "verbal_abuse")),
        ("harassment", ("verbal_abuse",)),
        ("verbal_abuse", ("verbal_abuse",)),
        ("lying", ("dishonest",)),
        ("out_of_scope", ("unreasonable_demands",)),
        ("out_of_hours", ("unreasonable_demands",)),
        ("unreasonable_demand", ("unreasonable_demands",)),
        ("payment_dispute", ("disputes_invoices",)),
        ("legal_risk", ("legal_liability",)),
        ("unethical_request", ("unethical",)),
        ("other", ()),
    ],
)
def test_incident_category_flags(category, flag_keys):
    assert INCIDENT_CATEGORY_FLAGS[category] == flag_keys


def test_safety_flags_are_the_abuse_deal_breakers():
    assert {"physical_abuse", "verbal_abuse"} == SAFETY_FLAG_KEYS
    assert all(BY_KEY[key].tier == Tier.DEAL_BREAKER for key in SAFETY_FLAG_KEYS)


def test_redflag_sort_key_orders_by_tier_then_number():
    late = RedFlag(
        key="x",
        number=1,
        tier=Tier.MODERATE,
        title=get_flag("complains").title,
        question=get_flag("complains").question,
        explanation=get_flag("complains").explanation,
        source="test",
        evidence_rule=None,
    )
    assert get_flag("legal_liability").sort_key < get_flag("unreasonable_demands").sort_key
    assert get_flag("reputation_threat").sort_key < late.sort_key


def test_flags_hash_and_compare_without_translating():
    # Sets and dict keys of flags must not depend on the active language.
    assert {get_flag("complains"), get_flag("complains"), get_flag("indecisive")} == {
        BY_KEY["complains"],
        BY_KEY["indecisive"],
    }
