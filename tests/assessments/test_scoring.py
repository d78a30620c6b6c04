"""The verdict rules, as a table, plus the helpers built on them.

Pure module: no database, and lazy strings are compared by identity rather than
rendered, so these run with or without Django set up.
"""

from decimal import Decimal

import pytest
from django.utils.functional import Promise

from assessments import scoring
from assessments.redflags import BY_KEY, CATALOGUE, Tier, get_flag
from assessments.scoring import (
    CONCENTRATION_CAUTION,
    REVIEW_AGAIN_STEP,
    RULES,
    WATCH_NEXT_STEPS,
    Answer,
    Decision,
    Likelihood,
    Rule,
    Verdict,
    decide,
    next_steps,
    strongest_flag,
)

UNLIKELY, POSSIBLE, LIKELY = "unlikely", "possible", "likely"
KEEP, WATCH, FIRE = "keep", "watch", "fire"

# Deal-breakers 3 and 5, serious 6 and 7, moderate 13, 15, 16.
DB, DB2 = "dishonest", "legal_liability"
S1, S2 = "unreasonable_demands", "slow_to_pay"
M1, M2, M3 = "changes_mind", "complains", "indecisive"
MODERATES = [flag.key for flag in CATALOGUE if flag.tier == Tier.MODERATE]


def yes(*keys):
    return dict.fromkeys(keys, "yes")


# id, answers, likelihood, verdict, rule, deciding flag keys (in order)
RULE_TABLE = [
    ("no answers", {}, POSSIBLE, KEEP, "none", []),
    ("every flag no", {f.key: "no" for f in CATALOGUE}, UNLIKELY, KEEP, "none", []),
    ("one moderate", yes(M1), UNLIKELY, KEEP, "none", []),
    ("two moderate", yes(M1, M2), POSSIBLE, WATCH, "one_serious_or_moderates", [M1, M2]),
    ("two moderate, unlikely", yes(M1, M2), UNLIKELY, WATCH, "one_serious_or_moderates", [M1, M2]),
    ("three moderate", yes(M3, M1, M2), LIKELY, WATCH, "one_serious_or_moderates", [M1, M2, M3]),
    ("all moderate", yes(*MODERATES), UNLIKELY, WATCH, "one_serious_or_moderates", MODERATES),
    ("one serious", yes(S2), UNLIKELY, WATCH, "one_serious_or_moderates", [S2]),
    ("one serious, likely", yes(S2), LIKELY, WATCH, "one_serious_or_moderates", [S2]),
    ("one serious + one moderate", yes(S2, M1), UNLIKELY, WATCH, "one_serious_or_moderates", [S2]),
    ("one serious + two moderate, unlikely", yes(S2, M1, M2), UNLIKELY, FIRE,
     "serious_combination", [S2, M1, M2]),
    ("one serious + two moderate, possible", yes(S2, M1, M2), POSSIBLE, FIRE,
     "serious_combination", [S2, M1, M2]),
    ("one serious + two moderate, likely", yes(S2, M1, M2), LIKELY, WATCH,
     "serious_combination_change_likely", [S2, M1, M2]),
    ("two serious, unlikely", yes(S1, S2), UNLIKELY, FIRE, "serious_combination", [S1, S2]),
    ("two serious, possible", yes(S1, S2), POSSIBLE, FIRE, "serious_combination", [S1, S2]),
    ("two serious, likely", yes(S1, S2), LIKELY, WATCH,
     "serious_combination_change_likely", [S1, S2]),
    # Two serious decide on their own; the moderates are confirmed but not deciding.
    ("two serious + two moderate", yes(M1, S2, M2, S1), POSSIBLE, FIRE,
     "serious_combination", [S1, S2]),
    ("deal-breaker, change likely", yes(DB), LIKELY, FIRE, "deal_breaker", [DB]),
    ("deal-breaker, unlikely", yes(DB), UNLIKELY, FIRE, "deal_breaker", [DB]),
    ("deal-breaker with the rest", yes(M1, S1, S2, DB), LIKELY, FIRE, "deal_breaker", [DB]),
    ("two deal-breakers", yes(DB2, DB), POSSIBLE, FIRE, "deal_breaker", [DB, DB2]),
    ("deal-breaker as enum", {DB: Answer.YES}, Likelihood.LIKELY, FIRE, "deal_breaker", [DB]),
    # Unsure and no never count.
    ("deal-breaker unsure", {DB: "unsure"}, UNLIKELY, KEEP, "none", []),
    ("deal-breaker no", {DB: "no"}, UNLIKELY, KEEP, "none", []),
    ("serious unsure", {S1: "unsure", S2: "unsure"}, UNLIKELY, KEEP, "none", []),
    ("serious + moderates unsure", {S2: "yes", M1: "unsure", M2: "unsure"}, UNLIKELY, WATCH,
     "one_serious_or_moderates", [S2]),
    ("serious + moderates no", {S2: "yes", M1: "no", M2: Answer.NO}, UNLIKELY, WATCH,
     "one_serious_or_moderates", [S2]),
    ("second serious unsure", {S1: "yes", S2: "unsure"}, UNLIKELY, WATCH,
     "one_serious_or_moderates", [S1]),
    # Bounded leniency: three serious flags stay Fire even if change is likely.
    ("three serious, likely", yes(S1, S2, "disputes_invoices"), LIKELY, FIRE,
     "too_many_for_leniency", [S1, S2, "disputes_invoices"]),
    ("three serious, possible", yes(S1, S2, "disputes_invoices"), POSSIBLE, FIRE,
     "serious_combination", [S1, S2, "disputes_invoices"]),
]  # fmt: skip

W = scoring.Weight
WEIGHED_TABLE = [
    # A first mild belittling remark weighs as serious: Watch, whatever the likelihood.
    ("remark as a warning", yes("verbal_abuse"), {"verbal_abuse": W.SERIOUS}, UNLIKELY,
     WATCH, "one_serious_or_moderates"),
    # Its catalogue tier otherwise: a deal-breaker.
    ("remark repeated", yes("verbal_abuse"), {"verbal_abuse": W.DEAL_BREAKER}, LIKELY,
     FIRE, "deal_breaker"),
    ("abuse without evidence", yes("verbal_abuse"), {}, LIKELY, FIRE, "deal_breaker"),
    # Size: cost twice revenue counts as two serious flags on its own.
    ("major money alone", yes("not_profitable"), {"not_profitable": W.MAJOR}, UNLIKELY,
     FIRE, "serious_combination"),
    ("major money alone, likely", yes("not_profitable"), {"not_profitable": W.MAJOR}, LIKELY,
     WATCH, "serious_combination_change_likely"),
    ("major money + serious, likely", yes("not_profitable", S1), {"not_profitable": W.MAJOR},
     LIKELY, FIRE, "too_many_for_leniency"),
    # A repeated pattern below the flag's tier.
    ("demands as moderate", yes(S1), {S1: W.MODERATE}, UNLIKELY, KEEP, "none"),
    ("demands as moderate + moderate", yes(S1, M1), {S1: W.MODERATE}, UNLIKELY, WATCH,
     "one_serious_or_moderates"),
    # A weighing for a flag not confirmed changes nothing.
    ("weight of an unconfirmed flag", {}, {"not_profitable": W.MAJOR}, UNLIKELY, KEEP, "none"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "weights", "likelihood", "verdict", "rule"),
    [pytest.param(*row[1:], id=row[0]) for row in WEIGHED_TABLE],
)
def test_weighed_table(answers, weights, likelihood, verdict, rule):
    weighings = {key: scoring.Weighing(weight) for key, weight in weights.items()}
    decision = decide(answers, likelihood=likelihood, weighings=weighings)
    assert (decision.verdict, decision.rule) == (verdict, rule)


def test_escalation_step_replaces_the_flag_step_and_conversation_comes_first():
    warning = scoring.Weighing(scoring.Weight.SERIOUS, "verbal_abuse.warning")
    decision = decide(yes("verbal_abuse"), likelihood=LIKELY, weighings={"verbal_abuse": warning})
    assert next_steps(decision) == [scoring.ESCALATION_STEPS["verbal_abuse.warning"]]
    # Long-standing: a conversation before a letter, but never where abuse is confirmed.
    assert not decide(yes("verbal_abuse"), likelihood=LIKELY, long_standing=True).conversation_first
    kept = decide(yes(S2), likelihood=LIKELY, long_standing=True)
    assert next_steps(kept)[0] is scoring.CONVERSATION_FIRST_STEP
    fired = decide(yes(S1, S2), likelihood=UNLIKELY, long_standing=True)
    assert next_steps(fired) == [scoring.CONVERSATION_FIRST_STEP]
    assert next_steps(decide(yes(S1, S2), likelihood=UNLIKELY)) == []
    assert not decide({}, likelihood=UNLIKELY, long_standing=True).conversation_first


def test_unknown_weight_or_flag_in_weighings_is_refused():
    with pytest.raises(ValueError):
        decide(yes(S1), likelihood=LIKELY, weighings={S1: scoring.Weighing("huge")})
    with pytest.raises(KeyError):
        decide({}, likelihood=LIKELY, weighings={"nope": scoring.Weighing(scoring.Weight.MAJOR)})


@pytest.mark.parametrize(
    ("answers", "likelihood", "verdict", "rule", "deciding"),
    [pytest.param(*row[1:], id=row[0]) for row in RULE_TABLE],
)
def test_rule_table(answers, likelihood, verdict, rule, deciding):
    decision = decide(answers, likelihood=likelihood)

    assert decision.verdict == verdict
    assert decision.rule == rule
    assert decision.rule_text is Rule(rule).label
    assert [flag.key for flag in decision.deciding] == deciding
    assert set(decision.deciding) <= set(decision.confirmed)


def test_rule_table_reaches_every_rule_and_verdict():
    assert {row[4] for row in RULE_TABLE} == {key for key, _text in RULES}
    assert {row[3] for row in RULE_TABLE} == set(Verdict.values)


def test_confirmed_is_ordered_by_tier_then_number_and_counted():
    decision = decide(yes(M2, S2, M1, DB2, S1, DB), likelihood=POSSIBLE)

    assert [flag.key for flag in decision.confirmed] == [DB, DB2, S1, S2, M1, M2]
    assert decision.counts == {Tier.DEAL_BREAKER: 2, Tier.SERIOUS: 2, Tier.MODERATE: 2}
    assert decision.counts["serious"] == 2


def test_unsure_answers_are_listed_but_not_confirmed_or_counted():
    decision = decide({M2: "unsure", S1: "yes", DB: "unsure", M1: "no"}, likelihood=UNLIKELY)

    assert [flag.key for flag in decision.unsure] == [DB, M2]
    assert [flag.key for flag in decision.confirmed] == [S1]
    assert decision.counts == {Tier.DEAL_BREAKER: 0, Tier.SERIOUS: 1, Tier.MODERATE: 0}


@pytest.mark.parametrize(
    ("share", "caution"),
    [
        (Decimal("0.30"), True),
        (Decimal("0.3"), True),
        (Decimal("0.3000"), True),
        (Decimal("0.2999"), False),
        (Decimal("0.29"), False),
        (Decimal("1"), True),
        (Decimal("0"), False),
        (None, False),
    ],
)
@pytest.mark.parametrize("answers", [{}, yes(S1), yes(S1, S2), yes(DB)], ids=str)
def test_concentration_caution_never_changes_the_verdict(share, caution, answers):
    decision = decide(answers, likelihood=POSSIBLE, revenue_share=share)
    without = decide(answers, likelihood=POSSIBLE)

    assert decision.concentration_caution is caution
    if caution:
        assert decision.caution_text is CONCENTRATION_CAUTION
    else:
        assert decision.caution_text == ""
    assert (decision.verdict, decision.rule) == (without.verdict, without.rule)


@pytest.mark.parametrize(
    ("share", "error"),
    [
        (0.3, TypeError),  # a float 0.3 is just below 30%: refuse rather than guess
        ("0.3", TypeError),
        (Decimal("1.01"), ValueError),
        (Decimal("-0.01"), ValueError),
        (Decimal("NaN"), ValueError),
        (Decimal("Infinity"), ValueError),
    ],
)
def test_bad_revenue_share_is_refused(share, error):
    with pytest.raises(error):
        decide({}, likelihood=POSSIBLE, revenue_share=share)


@pytest.mark.parametrize(
    ("answers", "likelihood", "error"),
    [
        ({"no_such_flag": "yes"}, POSSIBLE, KeyError),
        ({S1: "maybe"}, POSSIBLE, ValueError),
        ({S1: True}, POSSIBLE, ValueError),
        ({}, "certain", ValueError),
    ],
)
def test_bad_input_is_refused(answers, likelihood, error):
    with pytest.raises(error):
        decide(answers, likelihood=likelihood)


def test_rules_are_listed_in_order_with_translatable_text():
    assert [key for key, _text in RULES] == [
        "deal_breaker",
        "serious_combination",
        "serious_combination_change_likely",
        "too_many_for_leniency",
        "one_serious_or_moderates",
        "none",
    ]
    assert all(isinstance(text, Promise) for _key, text in RULES)
    assert isinstance(CONCENTRATION_CAUTION, Promise)


def test_enum_values():
    assert Answer.values == ["yes", "no", "unsure"]
    assert Likelihood.values == ["unlikely", "possible", "likely"]
    assert Verdict.values == ["keep", "watch", "fire"]


def test_decision_is_frozen():
    decision = decide({}, likelihood=POSSIBLE)
    with pytest.raises(AttributeError):
        decision.verdict = Verdict.FIRE  # type: ignore[misc]


@pytest.mark.parametrize(
    ("keys", "strongest"),
    [
        ([], None),
        ([M2, M1], M1),  # same tier: lowest number
        (["reputation_threat", M1], "reputation_threat"),  # serious 12 beats moderate 13
        ([M1, "no_longer_fits", S2, "plays_competitors"], S2),
        (["plays_competitors", DB2], DB2),  # deal-breaker 5 beats serious 11
        ([DB2, "physical_abuse", DB], "physical_abuse"),
    ],
)
def test_strongest_flag(keys, strongest):
    flags = [get_flag(key) for key in keys]

    result = strongest_flag(flags)
    assert (result.key if result else None) == strongest
    # Any iterable will do, not only a decision's sorted tuple.
    assert strongest_flag(iter(flags)) is result


def test_strongest_flag_of_a_decision():
    decision = decide(yes(M1, S2, S1), likelihood=POSSIBLE)
    assert strongest_flag(decision.confirmed) is get_flag(S1)


@pytest.mark.parametrize(
    ("answers", "likelihood", "expected_keys"),
    [
        # Watch: the confirmed flags' steps in flag order, moderates included.
        (yes(M2, S2), UNLIKELY, [S2, M2]),
        (yes(M1, "disputes_invoices", S1), LIKELY, [S1, "disputes_invoices", M1]),
        # A deciding serious flag is listed even where a moderate is unsure.
        ({S2: "yes", M1: "unsure"}, UNLIKELY, [S2]),
        # Keep: the one moderate flag's step, as prevention; nothing without flags.
        (yes(M1), UNLIKELY, [M1]),
        ({}, UNLIKELY, []),
        # Fire: the offboarding plan takes over.
        (yes(S1, S2), UNLIKELY, []),
        (yes(DB), LIKELY, []),
    ],
)
def test_next_steps(answers, likelihood, expected_keys):
    steps = next_steps(decide(answers, likelihood=likelihood))

    assert steps == [WATCH_NEXT_STEPS[key] for key in expected_keys]


def test_watch_without_a_specific_step_gets_the_review_step():
    decision = decide(yes("no_more_business", "no_longer_fits"), likelihood=UNLIKELY)

    assert decision.verdict == Verdict.WATCH
    assert next_steps(decision) == [REVIEW_AGAIN_STEP]


def test_watch_next_steps_include_the_agreed_ones():
    for key in ("slow_to_pay", "unreasonable_demands", "changes_mind", "disputes_invoices"):
        assert key in WATCH_NEXT_STEPS
    assert [key for key in WATCH_NEXT_STEPS if key not in BY_KEY] == []
    # Deal-breakers are always Fire, so a Watch step for one would never be shown.
    assert not any(BY_KEY[key].tier == Tier.DEAL_BREAKER for key in WATCH_NEXT_STEPS)
    assert all(isinstance(step, Promise) for step in WATCH_NEXT_STEPS.values())
    assert isinstance(REVIEW_AGAIN_STEP, Promise)


def test_next_steps_are_deduplicated(monkeypatch):
    shared = WATCH_NEXT_STEPS[S1]
    monkeypatch.setattr(
        scoring, "WATCH_NEXT_STEPS", {S1: shared, S2: shared, M1: WATCH_NEXT_STEPS[M1]}
    )
    decision = decide(yes(M1, S2, S1), likelihood=LIKELY)

    assert next_steps(decision) == [shared, WATCH_NEXT_STEPS[M1]]


def test_next_steps_for_a_hand_built_decision():
    # The plan builder may rebuild a Decision from stored data; next_steps only
    # reads the verdict and the confirmed flags.
    decision = Decision(
        verdict=Verdict.WATCH,
        rule=Rule.ONE_SERIOUS_OR_MODERATES,
        rule_text=Rule.ONE_SERIOUS_OR_MODERATES.label,
        confirmed=(get_flag(S1),),
        deciding=(get_flag(S1),),
        counts={Tier.DEAL_BREAKER: 0, Tier.SERIOUS: 1, Tier.MODERATE: 0},
        concentration_caution=False,
        caution_text="",
        unsure=(),
    )
    assert next_steps(decision) == [WATCH_NEXT_STEPS[S1]]


def test_decisions_compare_without_translating():
    # Equality ignores the lazy texts (they follow from rule and caution), so it
    # works outside a request and whatever language is active.
    first = decide(yes(S1, M1), likelihood=POSSIBLE, revenue_share=Decimal("0.5"))
    again = decide(yes(M1, S1), likelihood="possible", revenue_share=Decimal("0.50"))

    assert first == again
    assert first != decide(yes(S1, M1), likelihood=POSSIBLE)
