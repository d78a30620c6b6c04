"""The letter's one documented fact, per flag, in words the client recognises.

The evidence facts are written for the owner ("3 incidents of verbal abuse in the
last 12 months", "revenue against cost to serve"): counts, windows and the
business's own economics. The letter says what happened between the two sides
instead, with the dates it happened on ("On 3 March and 14 April 2026 you contacted
us outside the hours we agreed."), in sentence case, and never the business's cost
to serve, profit or margin, an internal count or a catalogue reference. The private
briefing in the PDF keeps the numbers.

Pure functions over `assessments.plan.PlanSituation`; every sentence is a gettext message, so the
letter can be rendered under `translation.override(...)` in the client's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from assessments.redflags import INCIDENT_CATEGORY_FLAGS

if TYPE_CHECKING:  # plan.py imports this module for its defaults: one way only at runtime
    from assessments.plan import InvoiceLine, PlanSituation

# The latest few dates only: a letter that lists every one reads as a charge sheet.
MAX_DATES = 4

# Incident category -> what the client did, starting with the dates it happened on.
CATEGORY_CLAUSES: Mapping[str, Promise] = MappingProxyType(
    {
        "physical_abuse": gettext_lazy(
            "on %(dates)s you behaved in a physically threatening way towards members of our team"
        ),
        "verbal_abuse": gettext_lazy("on %(dates)s you shouted at or insulted members of our team"),
        "harassment": gettext_lazy(
            "on %(dates)s you made belittling or harassing remarks to members of our team"
        ),
        "threat": gettext_lazy("on %(dates)s you threatened members of our team"),
        "lying": gettext_lazy(
            "on %(dates)s what you told us did not match what we had agreed with you"
        ),
        "unreasonable_demand": gettext_lazy(
            "on %(dates)s you asked for more than we had agreed and were unhappy when we said no"
        ),
        "out_of_scope": gettext_lazy(
            "on %(dates)s you asked us for work outside the scope we agreed"
        ),
        "out_of_hours": gettext_lazy("on %(dates)s you contacted us outside the hours we agreed"),
        "complaint": gettext_lazy(
            "on %(dates)s you contacted us to say you were unhappy with our work"
        ),
        "changed_mind": gettext_lazy(
            "on %(dates)s you changed what you had asked for after the work was under way"
        ),
        "ignored_advice": gettext_lazy(
            "on %(dates)s you went ahead against our advice and then asked us to put the "
            "result right"
        ),
        "competitor_pressure": gettext_lazy(
            "on %(dates)s you used another provider's prices or timelines to reopen work we "
            "had already agreed"
        ),
        "unethical_request": gettext_lazy(
            "on %(dates)s you asked us to do something we are not willing to do"
        ),
        "legal_risk": gettext_lazy(
            "on %(dates)s we were asked to take part in work that could expose us to legal risk"
        ),
        "reputation_threat": gettext_lazy(
            "on %(dates)s you said you would criticise our business in public"
        ),
        "payment_dispute": gettext_lazy("on %(dates)s you disputed payment for work we had agreed"),
    }
)

# Flag -> the sentence when the record holds no dated incident for it (the owner
# confirmed it from judgement): about the relationship, dated from when it began.
FALLBACKS: Mapping[str, Promise] = MappingProxyType(
    {
        "physical_abuse": gettext_lazy(
            "Since %(since)s, the way members of our team have been treated in our dealings "
            "with you is something we cannot accept."
        ),
        "verbal_abuse": gettext_lazy(
            "Since %(since)s, the way members of our team have been spoken to in our dealings "
            "with you is something we cannot accept."
        ),
        "dishonest": gettext_lazy(
            "Since %(since)s, agreements we made with you have more than once been understood "
            "differently afterwards."
        ),
        "unethical": gettext_lazy(
            "Since %(since)s, we have been asked to do things we are not willing to do."
        ),
        "legal_liability": gettext_lazy(
            "Since %(since)s, our work together has come to carry a legal risk we cannot accept."
        ),
        "unreasonable_demands": gettext_lazy(
            "Since %(since)s, what you have asked of us has often gone beyond what we agreed."
        ),
        "slow_to_pay": gettext_lazy(
            "Since %(since)s, our invoices have often been paid after the agreed date."
        ),
        "disputes_invoices": gettext_lazy(
            "Since %(since)s, prices we had agreed have more than once been disputed afterwards."
        ),
        "not_profitable": gettext_lazy(
            "Since %(since)s, the work you have needed from us has grown well beyond what our "
            "current arrangement was set up to cover."
        ),
        "takes_advantage": gettext_lazy(
            "Since %(since)s, we have often been asked for extra work beyond our agreement at "
            "no extra charge."
        ),
        "plays_competitors": gettext_lazy(
            "Since %(since)s, work we had agreed has more than once been reopened against "
            "other providers' offers."
        ),
        "reputation_threat": gettext_lazy(
            "Since %(since)s, disagreements between us have been taken outside our working "
            "relationship."
        ),
        "changes_mind": gettext_lazy(
            "Since %(since)s, what you have asked for has changed often after the work was "
            "under way."
        ),
        "ignores_advice": gettext_lazy(
            "Since %(since)s, our advice has often not been taken, and we have then been asked "
            "to put the result right."
        ),
        "complains": gettext_lazy(
            "Since %(since)s, you have often told us you were unhappy with our work."
        ),
        "indecisive": gettext_lazy(
            "Since %(since)s, many pieces of work have gone back and forth without a clear "
            "decision, and we have not been able to deliver what you are looking for."
        ),
        "no_more_business": gettext_lazy(
            "Since %(since)s, the work you need from us has settled at a level our business "
            "is no longer set up to serve well."
        ),
        "never_refers": gettext_lazy(
            "Since %(since)s, we have been narrowing our work to the relationships we can grow "
            "together over the long run, and ours no longer fits that."
        ),
        "no_longer_fits": gettext_lazy(
            "Since %(since)s, our business has changed direction, and the work you need is no "
            "longer what we do best."
        ),
    }
)


def day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def sentence(text: str) -> str:
    """One sentence: single spaces, a full stop at the end."""
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?…。" else text + "."


def capitalised(text: str) -> str:
    """Sentence case: the first letter upper case, the rest as written."""
    return text[:1].upper() + text[1:] if text else text


def dates(values: Iterable[date]) -> str:
    """The latest few days, in order: "3 March 2026", "3 March and 14 April 2026"."""
    days = [day(value) for value in sorted(set(values))][-MAX_DATES:]
    if len(days) <= 1:
        return "".join(days)
    return _("%(list)s and %(last)s") % {"list": ", ".join(days[:-1]), "last": days[-1]}


# The month a relationship began as a letter's "since ..." needs it, in Django's date
# syntax: each language gives its own (Croatian and Greek want the month in the genitive,
# "od listopada 2022.", which the pages' YEAR_MONTH_FORMAT, a heading, does not use).
SINCE_FORMAT = pgettext_lazy(
    "Django date format of the month and year after 'since' in a letter", "F Y"
)


def since(value: date) -> str:
    """ "October 2022", as "since ..." needs it in the active language."""
    return date_format(value, str(SINCE_FORMAT))


def _since(s: PlanSituation) -> str:
    return since(s.client_since or s.today)


def _incident_sentence(s: PlanSituation, flag_key: str) -> str:
    clauses = []
    for category, clause in CATEGORY_CLAUSES.items():
        if flag_key not in INCIDENT_CATEGORY_FLAGS.get(category, ()):
            continue
        found = s.incidents_of([category])
        if found:
            clauses.append(
                (found[-1].occurred_on, clause % {"dates": dates(i.occurred_on for i in found)})
            )
    # The most recent conduct first: it is what the client remembers.
    clauses.sort(key=lambda item: item[0], reverse=True)
    return capitalised(sentence("; ".join(text for _day, text in clauses))) if clauses else ""


def _late(s: PlanSituation) -> str:
    late = [i for i in s.invoices if i.days_late(s.today) > 0 and (i.paid_on or i.due_on < s.today)]
    late = sorted(late, key=lambda i: i.due_on)[-MAX_DATES:]
    if not late:
        return ""

    def part(i: InvoiceLine) -> str:
        if i.paid_on:
            return _("invoice %(number)s, due on %(due)s, was paid on %(paid)s") % {
                "number": i.number,
                "due": day(i.due_on),
                "paid": day(i.paid_on),
            }
        return _("invoice %(number)s, due on %(due)s, is still unpaid") % {
            "number": i.number,
            "due": day(i.due_on),
        }

    return _("Our invoices have often been paid well after the agreed date: %(list)s.") % {
        "list": "; ".join(part(i) for i in late)
    }


def _disputed(s: PlanSituation) -> str:
    disputed = [i for i in s.invoices if i.disputed or i.discount_pushed > 0][-MAX_DATES:]
    parts = []
    if disputed:
        parts.append(
            _(
                "after we had agreed the work and its price, you disputed or asked to "
                "reduce %(list)s"
            )
            % {
                "list": _(" and ").join(
                    _("invoice %(number)s of %(issued)s")
                    % {"number": i.number, "issued": day(i.issued_on)}
                    for i in disputed
                )
            }
        )
    incidents = s.incidents_of(["payment_dispute"])
    if incidents:
        parts.append(
            CATEGORY_CLAUSES["payment_dispute"] % {"dates": dates(i.occurred_on for i in incidents)}
        )
    return capitalised(sentence("; ".join(parts))) if parts else ""


# The latest deliveries a complaint pattern is read over (as the evidence rule reads it).
DELIVERIES_LOOKED_AT = 5


def _after_deliveries(s: PlanSituation) -> str:
    """ "You contacted us to say you were unhappy after each of our deliveries on ...":
    the article's own example of a documented fact (003 #2)."""
    last = {d.id: d.delivered_on for d in s.deliveries[-DELIVERIES_LOOKED_AT:]}
    complained = {
        i.delivery_id: last[i.delivery_id]
        for i in s.incidents_of(["complaint"])
        if i.delivery_id in last
    }
    if len(complained) < 2:
        return ""
    if len(complained) == len(last):
        text = _(
            "You contacted us to say you were unhappy with our work after each of our "
            "deliveries on %(dates)s."
        )
    else:
        text = _(
            "You contacted us to say you were unhappy with our work after our deliveries "
            "on %(dates)s."
        )
    return text % {"dates": dates(complained.values())}


def _complaints(s: PlanSituation) -> str:
    return _after_deliveries(s) or _incident_sentence(s, "complains")


# Flags whose fact comes from invoices or deliveries rather than (only) incidents.
_SPECIAL: Mapping[str, Callable[[PlanSituation], str]] = MappingProxyType(
    {"slow_to_pay": _late, "disputes_invoices": _disputed, "complains": _complaints}
)


def letter_fact(flag_key: str, s: PlanSituation) -> str:
    """The documented fact for the letter when `flag_key` is the one reason."""
    special = _SPECIAL.get(flag_key)
    text = special(s) if special else _incident_sentence(s, flag_key)
    if text:
        return text
    fallback = FALLBACKS.get(flag_key)
    return str(fallback) % {"since": _since(s)} if fallback is not None else ""


def letter_facts(s: PlanSituation, keys: Sequence[str]) -> dict[str, str]:
    """The letter fact of each flag, for the form to swap in when the reason changes."""
    return {key: letter_fact(key, s) for key in keys}
