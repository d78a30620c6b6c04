"""The verdict rules: Keep, Watch or Fire, written once.

Pure functions over the red-flag catalogue; no database. Views, the plan builder,
the PDF and the help page all read the verdict from `decide()` and the wording
from `RULES`, so the rules cannot drift apart between screens.

The weighing follows article 003 as distilled in shared/domain.md:
- a deal-breaker needs no second flag;
- clients with more than one problem are the first to refer elsewhere, unless
  the situation is likely to change, in which case "do not give up on them yet";
- a client is not fired merely for being demanding: one serious problem, or a
  pile-up of moderate ones, is something to work on and review.

Each confirmed flag carries a `Weight`. By default it is the flag's tier; the
evidence rules change it with severity, repetition and size (a first mild
belittling remark weighs as serious, with the step "tell them once"; a repeat,
or a high-severity one, is a deal-breaker; cost to serve far above revenue
counts as two serious flags). Leniency is bounded: "likely to change" softens
Fire to Watch, never over a deal-breaker and not with three or more serious
flags' worth confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessments.redflags import CATALOGUE, SAFETY_FLAG_KEYS, RedFlag, Tier, get_flag


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure")


class Likelihood(models.TextChoices):
    """How likely the owner judges it that the problem situation will change."""

    UNLIKELY = "unlikely", _("Unlikely")
    POSSIBLE = "possible", _("Possible")
    LIKELY = "likely", _("Likely")


class Weight(models.TextChoices):
    """How much one confirmed flag counts in the rules below."""

    DEAL_BREAKER = "deal_breaker", _("Deal-breaker")
    # A serious flag made heavier by its size or repetition: it counts as two.
    MAJOR = "major", _("Serious, counts as two")
    SERIOUS = "serious", _("Serious")
    MODERATE = "moderate", _("Moderate")


# How many serious flags each weight counts as.
SERIOUS_COUNT: Mapping[Weight, int] = MappingProxyType(
    {Weight.DEAL_BREAKER: 0, Weight.MAJOR: 2, Weight.SERIOUS: 1, Weight.MODERATE: 0}
)
# With this many serious flags' worth confirmed, "likely to change" no longer softens.
LENIENCY_LIMIT = 3


@dataclass(frozen=True)
class Weighing:
    """What the evidence says one flag weighs, and the step that goes with it."""

    weight: Weight
    # A key of ESCALATION_STEPS that replaces the flag's own Watch step ("" for none).
    step: str = ""


def default_weight(flag: RedFlag) -> Weight:
    return Weight(flag.tier.value)


class Verdict(models.TextChoices):
    KEEP = "keep", _("Keep")
    WATCH = "watch", _("Watch")
    FIRE = "fire", _("Fire")


class Rule(models.TextChoices):
    """The rule that decided a verdict; the label is its plain-words text.

    Declared in the order the rules are tried, which is the order a help page
    should list them in.
    """

    DEAL_BREAKER = (
        "deal_breaker",
        _(
            "Any confirmed deal-breaker means Fire, whatever the chance of change: a "
            "deal-breaker needs no second flag, and safety comes first."
        ),
    )
    SERIOUS_COMBINATION = (
        "serious_combination",
        _(
            "Two or more serious flags, or one serious flag with two or more moderate ones, "
            "means Fire: clients with more than one problem are the first to refer elsewhere. "
            "A serious flag past its size threshold (money) counts as two."
        ),
    )
    SERIOUS_COMBINATION_CHANGE_LIKELY = (
        "serious_combination_change_likely",
        _(
            "The same combination means Watch instead when the situation is likely to "
            "change: do not give up on them yet. Leniency moves the verdict one step at most."
        ),
    )
    TOO_MANY_FOR_LENIENCY = (
        "too_many_for_leniency",
        _(
            "With three or more serious flags' worth confirmed, it stays Fire even if change "
            "is likely: that is no longer a problem to work on."
        ),
    )
    ONE_SERIOUS_OR_MODERATES = (
        "one_serious_or_moderates",
        _(
            "One serious flag, or two or more moderate ones, means Watch: work on the "
            "problem and review again."
        ),
    )
    NONE = (
        "none",
        _(
            "Otherwise, Keep: nobody is fired merely for being demanding, because "
            "challenges can be met."
        ),
    )


# (rule key, plain-words text), in the order the rules are tried. For the help page.
RULES: tuple[tuple[str, Promise], ...] = tuple((rule.value, rule.label) for rule in Rule)

# "A business that depends on one client is a house of cards" (002). The caution
# never changes the verdict; it changes when and how the owner acts on it.
CONCENTRATION_THRESHOLD = Decimal("0.30")
CONCENTRATION_CAUTION: Promise = _(
    # xgettext:no-python-format
    "This client brings in 30% or more of your revenue. Line up replacement revenue "
    "before you act: a business that depends on one client is a house of cards."
)


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    rule: Rule
    # rule_text and caution_text follow from rule and concentration_caution; they
    # are kept out of == so that comparing decisions never translates lazy text.
    rule_text: Promise = field(compare=False)
    # Answered "yes", deal-breakers first, then serious, then moderate, then by number.
    confirmed: tuple[RedFlag, ...]
    # The confirmed flags that made the rule apply (empty for Keep), same order.
    deciding: tuple[RedFlag, ...]
    # Confirmed flags per tier; every tier is present, zero included.
    counts: Mapping[Tier, int]
    concentration_caution: bool
    caution_text: Promise | str = field(compare=False)
    # Answered "unsure": not counted, but listed so the owner sees what is open.
    unsure: tuple[RedFlag, ...]
    # What each confirmed flag weighed (flag key -> weighing), its tier unless escalated.
    weighings: Mapping[str, Weighing] = field(default_factory=dict, compare=False)
    # Confirmed serious flags' worth (a MAJOR flag counts two).
    serious_count: int = 0
    # A long-standing relationship: talk before writing (never where abuse is confirmed).
    conversation_first: bool = False

    def weight_of(self, flag: RedFlag) -> Weight:
        found = self.weighings.get(flag.key)
        return found.weight if found else default_weight(flag)


def _by_severity(flags: Iterable[RedFlag]) -> tuple[RedFlag, ...]:
    return tuple(sorted(flags, key=lambda flag: flag.sort_key))


def _split_answers(
    answers: Mapping[str, Answer | str],
) -> tuple[tuple[RedFlag, ...], tuple[RedFlag, ...]]:
    """Return (confirmed, unsure); raise on an unknown flag key or answer value.

    Raising rather than skipping matters: a misspelt key silently dropped would
    turn a confirmed deal-breaker into a Keep.
    """
    confirmed: list[RedFlag] = []
    unsure: list[RedFlag] = []
    for key, value in answers.items():
        flag = get_flag(key)
        answer = Answer(value)
        if answer == Answer.YES:
            confirmed.append(flag)
        elif answer == Answer.UNSURE:
            unsure.append(flag)
    return _by_severity(confirmed), _by_severity(unsure)


def _has_concentration(revenue_share: Decimal | None) -> bool:
    if revenue_share is None:
        return False
    # Floats are refused: 0.3 as a float is just below Decimal("0.30") and would
    # silently lose the caution at exactly 30%.
    if not isinstance(revenue_share, Decimal):
        raise TypeError(f"revenue_share must be a Decimal or None, not {type(revenue_share)}")
    if not revenue_share.is_finite() or not 0 <= revenue_share <= 1:
        raise ValueError(f"revenue_share must be a fraction from 0 to 1, not {revenue_share}")
    return revenue_share >= CONCENTRATION_THRESHOLD


def decide(
    answers: Mapping[str, Answer | str],
    *,
    likelihood: Likelihood | str,
    revenue_share: Decimal | None = None,
    weighings: Mapping[str, Weighing] | None = None,
    long_standing: bool = False,
) -> Decision:
    """Apply the verdict rules to the owner's answers.

    `answers` maps flag keys to "yes", "no" or "unsure"; a flag left out is
    unanswered and counts like "no". Only "yes" counts. `weighings` gives what the
    evidence says a flag weighs (severity, repetition, size); a flag without one
    weighs its tier. `revenue_share` is the client's fraction of revenue (Decimal,
    0 to 1) or None when unknown. `long_standing` makes a conversation, before any
    letter, the first step (unless abuse is confirmed: safety first).
    Raises KeyError on an unknown flag key and ValueError on an unknown answer,
    weight, likelihood or an out-of-range share.
    """
    likelihood = Likelihood(likelihood)
    confirmed, unsure = _split_answers(answers)
    given = dict(weighings or {})
    for key in given:
        get_flag(key)
    weighed = {
        flag.key: Weighing(Weight(given[flag.key].weight), given[flag.key].step)
        if flag.key in given
        else Weighing(default_weight(flag))
        for flag in confirmed
    }

    def of(weight: Weight) -> tuple[RedFlag, ...]:
        return tuple(flag for flag in confirmed if weighed[flag.key].weight == weight)

    deal_breakers = of(Weight.DEAL_BREAKER)
    serious = tuple(f for f in confirmed if weighed[f.key].weight in (Weight.MAJOR, Weight.SERIOUS))
    moderate = of(Weight.MODERATE)
    serious_count = sum(SERIOUS_COUNT[weighed[f.key].weight] for f in confirmed)

    deciding: tuple[RedFlag, ...]
    if deal_breakers:
        verdict, rule, deciding = Verdict.FIRE, Rule.DEAL_BREAKER, deal_breakers
    elif serious_count >= 2 or (serious and len(moderate) >= 2):
        # With two serious flags' worth the moderates are not needed to reach the rule,
        # so they are not named as deciding it.
        deciding = serious if serious_count >= 2 else serious + moderate
        if likelihood != Likelihood.LIKELY:
            verdict, rule = Verdict.FIRE, Rule.SERIOUS_COMBINATION
        elif serious_count >= LENIENCY_LIMIT:
            verdict, rule = Verdict.FIRE, Rule.TOO_MANY_FOR_LENIENCY
        else:
            verdict, rule = Verdict.WATCH, Rule.SERIOUS_COMBINATION_CHANGE_LIKELY
    elif serious or len(moderate) >= 2:
        verdict, rule = Verdict.WATCH, Rule.ONE_SERIOUS_OR_MODERATES
        deciding = serious or moderate
    else:
        verdict, rule, deciding = Verdict.KEEP, Rule.NONE, ()

    safety = any(flag.key in SAFETY_FLAG_KEYS for flag in confirmed)
    caution = _has_concentration(revenue_share)
    tier_of = {
        Weight.DEAL_BREAKER: Tier.DEAL_BREAKER,
        Weight.MAJOR: Tier.SERIOUS,
        Weight.SERIOUS: Tier.SERIOUS,
        Weight.MODERATE: Tier.MODERATE,
    }
    return Decision(
        verdict=verdict,
        rule=rule,
        rule_text=rule.label,
        confirmed=confirmed,
        deciding=deciding,
        counts=MappingProxyType(
            {tier: sum(tier_of[weighed[f.key].weight] == tier for f in confirmed) for tier in Tier}
        ),
        concentration_caution=caution,
        caution_text=CONCENTRATION_CAUTION if caution else "",
        unsure=unsure,
        weighings=MappingProxyType(weighed),
        serious_count=serious_count,
        conversation_first=bool(long_standing) and verdict != Verdict.KEEP and not safety,
    )


def strongest_flag(confirmed: Iterable[RedFlag]) -> RedFlag | None:
    """The single most serious flag: deal-breaker over serious over moderate, then
    the lowest number. The plan gives it as the one reason (004: one is enough)."""
    return min(confirmed, key=lambda flag: flag.sort_key, default=None)


# One concrete step per flag where there is something to do about it while
# watching. Mostly 002's prevention: a contract that spells out services, price,
# timeline and terms, with every change written down as an addendum. Deal-breakers
# have none (they are never Watch), nor do flags the owner cannot act on
# (no more business, no longer fits: that is what "likelihood of change" weighs).
WATCH_NEXT_STEPS: Mapping[str, Promise] = MappingProxyType(
    {
        "unreasonable_demands": _(
            "State your contact hours in writing and in your e-mail signature."
        ),
        "slow_to_pay": _(
            "Ask for a deposit or move to shorter payment terms (for example 14 days) "
            "before starting new work."
        ),
        "disputes_invoices": _(
            "Put prices and what they include in writing before work starts; no "
            "discounts after agreement."
        ),
        "not_profitable": _(
            "Compare each month what the client pays with the time and expense of serving "
            "them, and reprice the work or stop unpaid extras until it pays its way."
        ),
        "takes_advantage": _(
            "Write down what the agreement includes, and decline politely and in writing "
            "anything beyond it unless it is priced as extra."
        ),
        "plays_competitors": _(
            "Hold to the agreed price and timeline for work already agreed or under way; "
            "quote any new work separately."
        ),
        "reputation_threat": _(
            "Keep a dated written record of what was agreed, delivered and said, and "
            "settle open disagreements in writing."
        ),
        "changes_mind": _("Agree a contract addendum that prices every change of scope."),
        "ignores_advice": _(
            "Give your advice in writing before they decide, and agree that putting "
            "things right after advice not taken is extra, billable work."
        ),
        "complains": _(
            "Agree in writing what each delivery includes, and log every complaint with "
            "what you did about it."
        ),
        "indecisive": _(
            "Agree a decision date and a set number of revision rounds for each piece of "
            "work; late decisions and extra rounds move the deadline and the price."
        ),
        "never_refers": _(
            "Once a piece of work is delivered and they are happy with it, ask for a "
            "referral or a testimonial."
        ),
    }
)

# Steps that replace a flag's own when the evidence weighed it by severity or
# repetition (`Weighing.step`).
ESCALATION_STEPS: Mapping[str, Promise] = MappingProxyType(
    {
        "verbal_abuse.warning": _(
            "Tell them once, in writing, that remarks like this must stop, and that you will "
            "end the work if it happens again. Keep a copy: it is your warning on record."
        ),
        "unethical.refuse": _(
            "Refuse in writing, and say that you will end the work if it is asked again."
        ),
        "legal_liability.guard": _(
            "Write down what you will not do, and take advice on your exposure before any "
            "further work."
        ),
    }
)

# A long-standing relationship: the first thing to do is talk (article 003: do not
# drop an old client or friend without asking how likely things are to change).
CONVERSATION_FIRST_STEP: Promise = _(
    "This is a long-standing relationship: talk it through with them, face to face or by "
    "phone, before you put anything in writing. A conversation comes before any letter."
)

REVIEW_AGAIN_STEP: Promise = _("Review this client again on the date you set.")


def next_steps(decision: Decision) -> list[Promise]:
    """Concrete steps for the confirmed flags, in flag order, without repeats.

    A long-standing relationship (no abuse confirmed) puts a conversation first, for
    Watch and Fire alike. Fire gets nothing else: the offboarding plan takes over. A
    flag the evidence weighed by severity or repetition gets its escalation step
    instead of its own. A Watch with no specific step gets REVIEW_AGAIN_STEP. A Keep
    gets the step for its one moderate flag, if any, as prevention. The steps are
    lazy translations, rendered in whatever language is active when displayed.
    """
    first = [CONVERSATION_FIRST_STEP] if decision.conversation_first else []
    if decision.verdict == Verdict.FIRE:
        return first
    confirmed_keys = {flag.key for flag in decision.confirmed}
    steps: list[Promise] = []
    # Compared by identity, not text: comparing lazy strings would translate
    # them here, outside the language of the page or PDF they end up in.
    seen: set[int] = set()
    for flag in CATALOGUE:
        if flag.key not in confirmed_keys:
            continue
        weighing = decision.weighings.get(flag.key)
        step = ESCALATION_STEPS.get(weighing.step) if weighing and weighing.step else None
        step = step or WATCH_NEXT_STEPS.get(flag.key)
        if step is not None and id(step) not in seen:
            seen.add(id(step))
            steps.append(step)
    if decision.verdict == Verdict.WATCH and not steps:
        steps.append(REVIEW_AGAIN_STEP)
    return first + steps
