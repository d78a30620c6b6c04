"""The red-flag catalogue: the 19 reasons to end a client relationship.

Pure data, no database. The checklist, its numbering and its tiers come from the
domain brief (shared/domain.md), which distils the five source articles; `source`
on each flag names the article and item it was taken from (000 Greek, 001 Korean,
002 Russian, 003 Icelandic, 004 Croatian).

The catalogue is code, not a table, on purpose: the verdict rules in `scoring.py`
are written against these tiers, and a flag that an owner could re-tier in the
admin would silently change every past and future verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    # Declared from most to least severe; TIER_RANK relies on this order.
    DEAL_BREAKER = "deal_breaker", _("Deal-breaker")
    SERIOUS = "serious", _("Serious")
    MODERATE = "moderate", _("Moderate")


# Lower is more severe. Used to order flags "deal-breakers first".
TIER_RANK: Mapping[Tier, int] = MappingProxyType({tier: rank for rank, tier in enumerate(Tier)})


@dataclass(frozen=True)
class RedFlag:
    key: str
    number: int
    tier: Tier
    # Left out of == and hash(): comparing lazy text would translate it, in
    # whatever language happens to be active, and the key already identifies a flag.
    title: Promise = field(compare=False)
    question: Promise = field(compare=False)
    explanation: Promise = field(compare=False)
    source: str
    # Key of the evidence rule that can propose this flag from the record; None
    # where only the owner's judgement can answer (goodwill, fit, indecision).
    evidence_rule: str | None

    @property
    def sort_key(self) -> tuple[int, int]:
        """Deal-breakers first, then serious, then moderate; then by number."""
        return (TIER_RANK[self.tier], self.number)


CATALOGUE: tuple[RedFlag, ...] = (
    # Deal-breakers: "the obvious ones" (000/001) and 003 #2, #6. No second flag needed.
    RedFlag(
        key="physical_abuse",
        number=1,
        tier=Tier.DEAL_BREAKER,
        title=_("Physically abusive"),
        question=_(
            "Has this client been physically abusive or threatening: throwing things, "
            "shouting, physically threatening behaviour?"
        ),
        explanation=_(
            "Anger, throwing things, shouting, name-calling or physically threatening "
            "behaviour. An apology does not undo it: what matters is that it happened."
        ),
        source="001 #1, 000 #1",
        evidence_rule="abuse_incidents",
    ),
    RedFlag(
        key="verbal_abuse",
        number=2,
        tier=Tier.DEAL_BREAKER,
        title=_("Verbally abusive or harassing"),
        question=_(
            "Has this client threatened or harassed you or your staff, belittled anyone "
            "with remarks about gender, race or appearance, or been excessively rude or "
            "demanding to your employees?"
        ),
        explanation=_(
            "Threats and sexual harassment need no warning. For belittling remarks, tell "
            "them once to stop; if it happens again, even about someone else, it is time "
            "to part ways."
        ),
        source="000 #1, 001 #2, 003 #2",
        evidence_rule="abuse_incidents",
    ),
    RedFlag(
        key="dishonest",
        number=3,
        tier=Tier.DEAL_BREAKER,
        title=_("Dishonest"),
        question=_(
            "Has this client lied to you, or kept “misinterpreting” agreements that were "
            "clearly stated in writing or out loud?"
        ),
        explanation=_(
            "A client relationship needs trust, and you cannot trust a liar. Occasional "
            "misunderstandings are normal; a record of trying to fool you is not."
        ),
        source="000 #2, 001 #3, 002",
        evidence_rule="lying_incidents",
    ),
    RedFlag(
        key="unethical",
        number=4,
        tier=Tier.DEAL_BREAKER,
        title=_("Unethical or questionable activity"),
        question=_(
            "Has this client engaged in, or suggested that you take part in, unethical "
            "or questionable activity?"
        ),
        explanation=_(
            "They engage in unethical or questionable activity, or suggest that you do. "
            "That is reason enough on its own."
        ),
        source="003 #6",
        evidence_rule="unethical_incidents",
    ),
    RedFlag(
        key="legal_liability",
        number=5,
        tier=Tier.DEAL_BREAKER,
        title=_("Legal liability"),
        question=_(
            "Could continuing to work with this client drag you into legal trouble, for "
            "example by supplying a business you know does shoddy work?"
        ),
        explanation=_(
            "A concrete supplier to a builder who does shoddy work shares the risk. The "
            "chance of legal liability makes the relationship impossible to keep."
        ),
        source="000 #9, 001 #10",
        evidence_rule="legal_incidents",
    ),
    # Serious: "less obvious situations that still call for action" (000/001), and 002.
    RedFlag(
        key="unreasonable_demands",
        number=6,
        tier=Tier.SERIOUS,
        title=_("Unreasonable demands"),
        question=_(
            "Does this client make unreasonable demands: calls, texts or e-mails outside "
            "agreed hours, late decisions with on-time delivery still expected, or asking "
            "for more than agreed and getting angry when refused?"
        ),
        explanation=_(
            "You set your own bar and make it clear to clients. Choosing carpet colours "
            "the day before move-in and still expecting the original date is past it."
        ),
        source="000 #3, 001 #4, 002, 004",
        evidence_rule="out_of_hours_and_demands",
    ),
    RedFlag(
        key="slow_to_pay",
        number=7,
        tier=Tier.SERIOUS,
        title=_("Consistently slow to pay"),
        question=_("Is this client consistently late to pay, even though your terms are clear?"),
        explanation=_(
            "Late payers hurt your cash flow. Paying 90 to 120 days late despite clear "
            "contract terms is a payment risk and often a sign of other problems to come."
        ),
        source="000 #4, 001 #5, 002",
        evidence_rule="late_payment",
    ),
    RedFlag(
        key="disputes_invoices",
        number=8,
        tier=Tier.SERIOUS,
        title=_("Nickel-and-dimes or disputes invoices"),
        question=_(
            "Does this client agree a price up front and then try to cut it, or dispute "
            "your invoices?"
        ),
        explanation=_(
            "Agreeing up front and then trying to cut the cost is especially wearing. "
            "Stand firm and collect what you are owed."
        ),
        source="000 #5, 001 #6",
        evidence_rule="disputes_and_discounts",
    ),
    RedFlag(
        key="not_profitable",
        number=9,
        tier=Tier.SERIOUS,
        title=_("Not profitable"),
        question=_("Does this client cost you more in time and expense than they pay you?"),
        explanation=_(
            "Compare what they pay with the time and expense of keeping them happy: a "
            "client who pays $1,000 a month but costs $2,000 in time costs you money."
        ),
        source="003 #5, 002",
        evidence_rule="unprofitable",
    ),
    RedFlag(
        key="takes_advantage",
        number=10,
        tier=Tier.SERIOUS,
        title=_("Takes advantage of your goodwill"),
        question=_(
            "Does this client take advantage of your goodwill, treating your willingness "
            "to please as weakness and playing every angle to get more than they pay for?"
        ),
        explanation=_(
            "Some clients mistake your willingness to please for weakness and try to "
            "squeeze more out of the relationship than they should."
        ),
        source="002",
        evidence_rule=None,
    ),
    RedFlag(
        key="plays_competitors",
        number=11,
        tier=Tier.SERIOUS,
        title=_("Plays you against competitors"),
        question=_(
            "Has this client used competitors' prices or timelines to renegotiate work "
            "already agreed or under way?"
        ),
        explanation=_(
            "Getting quotes before hiring is good practice. Using them to cut the price "
            "of work already agreed or under way is not."
        ),
        source="000 #8, 001 #9",
        evidence_rule="competitor_incidents",
    ),
    RedFlag(
        key="reputation_threat",
        number=12,
        tier=Tier.SERIOUS,
        title=_("Threat to your reputation"),
        question=_(
            "Is this client disgruntled and loud enough that they might air their "
            "grievances in public?"
        ),
        explanation=_(
            "Nothing harms a reputation like an unhappy client with a loud voice, and it "
            "does not matter who was wrong in the disagreement."
        ),
        source="002",
        evidence_rule="reputation_incidents",
    ),
    # Moderate: each is a cost you can choose to bear; together they add up (003).
    RedFlag(
        key="changes_mind",
        number=13,
        tier=Tier.MODERATE,
        title=_("Keeps changing their mind"),
        question=_("Does this client keep changing their mind, so that you redo work?"),
        explanation=_(
            "Fine if you bill by the hour and both sides know changes add to the bill. "
            "Otherwise, decide where your personal cut-off is."
        ),
        source="000 #6, 001 #7",
        evidence_rule="scope_changes",
    ),
    RedFlag(
        key="ignores_advice",
        number=14,
        tier=Tier.MODERATE,
        title=_("Ignores your advice"),
        question=_(
            "Does this client ignore your advice and then expect you to pick up the "
            "pieces when things go wrong?"
        ),
        explanation=_(
            "The classic “so what did I hire you for?”. Help put it right if you can, "
            "then make sure it does not happen again."
        ),
        source="000 #7, 001 #8",
        evidence_rule="ignored_advice_incidents",
    ),
    RedFlag(
        key="complains",
        number=15,
        tier=Tier.MODERATE,
        title=_("Constantly complains"),
        question=_("Does this client constantly complain about minor issues?"),
        explanation=_(
            "For example, contacting you after each of the last five deliveries to say "
            "they were unhappy with it."
        ),
        source="003 #1",
        evidence_rule="complaints",
    ),
    RedFlag(
        key="indecisive",
        number=16,
        tier=Tier.MODERATE,
        title=_("Indecisive"),
        question=_("Is this client indecisive, with feedback that is only “that's not quite it”?"),
        explanation=_(
            "When the only feedback is “that's not quite it”, work goes round in circles. "
            "Clients like this are among the few who take most of your time and trouble."
        ),
        source="004",
        evidence_rule=None,
    ),
    RedFlag(
        key="no_more_business",
        number=17,
        tier=Tier.MODERATE,
        title=_("No potential for more business"),
        question=_("Is there little or no chance of more business from this client?"),
        explanation=_("Weigh the client's value over the long run, not just today's work."),
        source="003 #3, 002",
        evidence_rule=None,
    ),
    RedFlag(
        key="never_refers",
        number=18,
        tier=Tier.MODERATE,
        title=_("Never refers new business"),
        question=_("Has this client never referred new business to you?"),
        explanation=_("Clients who refer others help your business grow; this one never has."),
        source="003 #4",
        evidence_rule="no_referrals",
    ),
    RedFlag(
        key="no_longer_fits",
        number=19,
        tier=Tier.MODERATE,
        title=_("No longer fits your mission or values"),
        question=_("Does this client no longer fit your business's mission or values?"),
        explanation=_(
            "Do not drop a long-standing client or an old friend just because they "
            "suddenly do not fit: ask how likely the situation is to change."
        ),
        source="003 #7",
        evidence_rule=None,
    ),
)

BY_KEY: Mapping[str, RedFlag] = MappingProxyType({flag.key: flag for flag in CATALOGUE})

# Confirmed abuse, harassment or threats: the plan must never send anyone to a
# private meeting with this client, and no referral is owed to them.
SAFETY_FLAG_KEYS: frozenset[str] = frozenset({"physical_abuse", "verbal_abuse"})

# Incident.Category value -> the flag keys an incident of that category evidences,
# in flag order. A threat is both: it is physically threatening (001 #1) and a
# named form of mental abuse (000 #1).
INCIDENT_CATEGORY_FLAGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "physical_abuse": ("physical_abuse",),
        "verbal_abuse": ("verbal_abuse",),
        "harassment": ("verbal_abuse",),
        "threat": ("physical_abuse", "verbal_abuse"),
        "lying": ("dishonest",),
        "unreasonable_demand": ("unreasonable_demands",),
        "out_of_scope": ("unreasonable_demands",),
        "out_of_hours": ("unreasonable_demands",),
        "complaint": ("complains",),
        "changed_mind": ("changes_mind",),
        "ignored_advice": ("ignores_advice",),
        "competitor_pressure": ("plays_competitors",),
        "unethical_request": ("unethical",),
        "legal_risk": ("legal_liability",),
        "reputation_threat": ("reputation_threat",),
        "payment_dispute": ("disputes_invoices",),
        "other": (),
    }
)


def get_flag(key: str) -> RedFlag:
    """Return the flag with this key; KeyError names the unknown key."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"Unknown red flag key: {key!r}") from None


def flags_in_tier(tier: Tier | str) -> tuple[RedFlag, ...]:
    """The flags of one tier, in catalogue order. ValueError on an unknown tier."""
    tier = Tier(tier)
    return tuple(flag for flag in CATALOGUE if flag.tier == tier)
