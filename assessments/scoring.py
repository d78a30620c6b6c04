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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessments.redflags import CATALOGUE, RedFlag, Tier, get_flag


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure")


class Likelihood(models.TextChoices):
    """How likely the owner judges it that the problem situation will change."""

    UNLIKELY = "unlikely", _("Unlikely")
    POSSIBLE = "possible", _("Possible")
    LIKELY = "likely", _("Likely")


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
            "means Fire: clients with more than one problem are the first to refer elsewhere."
        ),
    )
    SERIOUS_COMBINATION_CHANGE_LIKELY = (
        "serious_combination_change_likely",
        _(
            "The same combination, two serious flags or one serious with two moderate, "
            "means Watch instead when the situation is likely to change: do not give up "
            "on them yet."
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
) -> Decision:
    """Apply the verdict rules to the owner's answers.

    `answers` maps flag keys to "yes", "no" or "unsure"; a flag left out is
    unanswered and counts like "no". Only "yes" counts. `revenue_share` is the
    client's fraction of revenue (Decimal, 0 to 1) or None when unknown.
    Raises KeyError on an unknown flag key and ValueError on an unknown answer,
    likelihood or an out-of-range share.
    """
    likelihood = Likelihood(likelihood)
    confirmed, unsure = _split_answers(answers)
    # Tier is declared most severe first, so this unpacks in that order.
    deal_breakers, serious, moderate = (
        tuple(flag for flag in confirmed if flag.tier == tier) for tier in Tier
    )

    deciding: tuple[RedFlag, ...]
    if deal_breakers:
        verdict, rule, deciding = Verdict.FIRE, Rule.DEAL_BREAKER, deal_breakers
    elif len(serious) >= 2 or (serious and len(moderate) >= 2):
        # With two serious flags the moderates are not needed to reach the rule,
        # so they are not named as deciding it.
        deciding = serious if len(serious) >= 2 else serious + moderate
        if likelihood == Likelihood.LIKELY:
            verdict, rule = Verdict.WATCH, Rule.SERIOUS_COMBINATION_CHANGE_LIKELY
        else:
            verdict, rule = Verdict.FIRE, Rule.SERIOUS_COMBINATION
    elif serious or len(moderate) >= 2:
        verdict, rule = Verdict.WATCH, Rule.ONE_SERIOUS_OR_MODERATES
        deciding = serious or moderate
    else:
        verdict, rule, deciding = Verdict.KEEP, Rule.NONE, ()

    caution = _has_concentration(revenue_share)
    return Decision(
        verdict=verdict,
        rule=rule,
        rule_text=rule.label,
        confirmed=confirmed,
        deciding=deciding,
        counts=MappingProxyType({tier: sum(f.tier == tier for f in confirmed) for tier in Tier}),
        concentration_caution=caution,
        caution_text=CONCENTRATION_CAUTION if caution else "",
        unsure=unsure,
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

REVIEW_AGAIN_STEP: Promise = _("Review this client again on the date you set.")


def next_steps(decision: Decision) -> list[Promise]:
    """Concrete steps for the confirmed flags, in flag order, without repeats.

    Fire gets none: the offboarding plan takes over. A Watch with no specific
    step gets REVIEW_AGAIN_STEP. A Keep gets the step for its one moderate flag,
    if any, as prevention. The steps are lazy translations, rendered in
    whatever language is active when they are displayed.
    """
    if decision.verdict == Verdict.FIRE:
        return []
    confirmed_keys = {flag.key for flag in decision.confirmed}
    steps: list[Promise] = []
    # Compared by identity, not text: comparing lazy strings would translate
    # them here, outside the language of the page or PDF they end up in.
    seen: set[int] = set()
    for flag in CATALOGUE:
        step = WATCH_NEXT_STEPS.get(flag.key) if flag.key in confirmed_keys else None
        if step is not None and id(step) not in seen:
            seen.add(id(step))
            steps.append(step)
    if decision.verdict == Verdict.WATCH and not steps:
        steps.append(REVIEW_AGAIN_STEP)
    return steps
