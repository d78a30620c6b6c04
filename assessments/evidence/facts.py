"""Facts: what the evidence rules found, in words and numbers, with the records behind them.

A fact is a message code and its numbers, not finished text. It is rendered in
the reader's language whenever it is shown, and a completed assessment keeps the
code and the numbers (plain JSON), so its facts read the same in any language,
however the record changes later. `text` is kept in the JSON too, as rendered
at the time, for a code a later version no longer knows.

Parameter names carry their type: `*_money` is a Decimal string shown in the
business currency (`currency`), `*_date` an ISO date shown in the reader's
locale; everything else is shown as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from clientreview.lib import l10n

# Messages take their count from the parameter "count" where they have a plural.
MESSAGES: Mapping[str, Promise] = MappingProxyType(
    {
        "incidents.physical": ngettext_lazy(
            "%(count)s incident of physical abuse or threatening behaviour on record",
            "%(count)s incidents of physical abuse or threatening behaviour on record",
            "count",
        ),
        "incidents.verbal": ngettext_lazy(
            "%(count)s incident of verbal abuse, harassment or threats on record",
            "%(count)s incidents of verbal abuse, harassment or threats on record",
            "count",
        ),
        "incidents.latest": ngettext_lazy(
            "the latest on %(latest_date)s, %(count)s month ago: it does not expire",
            "the latest on %(latest_date)s, %(count)s months ago: it does not expire",
            "count",
        ),
        "weight.abuse_first": _(
            "a first remark of low or medium severity: a serious flag, not yet a "
            "deal-breaker; tell them once, in writing, that it must stop"
        ),
        "weight.abuse_repeated": ngettext_lazy(
            "%(count)s remark: it happened again, so it is a deal-breaker",
            "%(count)s remarks: it happened again, so it is a deal-breaker",
            "count",
        ),
        "weight.abuse_severe": ngettext_lazy(
            "%(count)s of them a threat or of high or critical severity: a deal-breaker, "
            "no warning needed",
            "%(count)s of them threats or of high or critical severity: a deal-breaker, "
            "no warning needed",
            "count",
        ),
        "weight.risk_first": _(
            "a first one, of low severity: a serious flag; refuse in writing, and part "
            "ways if it comes again"
        ),
        "weight.risk_repeated_or_severe": _(
            "repeated, or of medium severity or worse: a deal-breaker"
        ),
        "flags.open": _("contact %(contact)s flagged abusive on %(raised_date)s"),
        "flags.open_incidents": ngettext_lazy(
            "contact %(contact)s flagged abusive on %(raised_date)s (incident %(numbers)s)",
            "contact %(contact)s flagged abusive on %(raised_date)s (incidents %(numbers)s)",
            "count",
        ),
        "flags.cleared": _(
            "contact %(contact)s was flagged abusive on %(raised_date)s; the flag was "
            "cleared on %(cleared_date)s"
        ),
        "incidents.lying": ngettext_lazy(
            "%(count)s incident of lying or twisting an agreement on record",
            "%(count)s incidents of lying or twisting an agreement on record",
            "count",
        ),
        "incidents.lying_serious": ngettext_lazy(
            "%(count)s of them of high or critical severity",
            "%(count)s of them of high or critical severity",
            "count",
        ),
        "incidents.unethical": ngettext_lazy(
            "%(count)s request for something unethical on record",
            "%(count)s requests for something unethical on record",
            "count",
        ),
        "incidents.legal": ngettext_lazy(
            "%(count)s incident that could cause legal trouble on record",
            "%(count)s incidents that could cause legal trouble on record",
            "count",
        ),
        "incidents.out_of_hours": ngettext_lazy(
            "%(count)s contact outside agreed hours in the last 90 days (%(year)s in 12 months)",
            "%(count)s contacts outside agreed hours in the last 90 days (%(year)s in 12 months)",
            "count",
        ),
        "incidents.demands": ngettext_lazy(
            "%(count)s unreasonable demand or request outside the agreed scope in the last 90 days",
            "%(count)s unreasonable demands or requests outside the agreed scope in the last "
            "90 days",
            "count",
        ),
        "incidents.demand_pool": ngettext_lazy(
            "%(count)s complaint or request outside the agreement in the last 90 days "
            "(%(requests)s requests, %(complaints)s complaints; extras billed to them not "
            "counted)",
            "%(count)s complaints or requests outside the agreement in the last 90 days "
            "(%(requests)s requests, %(complaints)s complaints; extras billed to them not "
            "counted)",
            "count",
        ),
        "incidents.complaints_pooled": ngettext_lazy(
            "%(count)s complaint in the last 90 days, counted with the requests under "
            "unreasonable demands",
            "%(count)s complaints in the last 90 days, counted with the requests under "
            "unreasonable demands",
            "count",
        ),
        "invoices.late_average": ngettext_lazy(
            "%(count)s invoice paid or overdue, on average %(days)s days late",
            "%(count)s invoices paid or overdue, on average %(days)s days late",
            "count",
        ),
        "invoices.late_severe": ngettext_lazy(
            "%(count)s invoice %(days)s or more days late (the worst: %(worst)s days)",
            "%(count)s invoices %(days)s or more days late (the worst: %(worst)s days)",
            "count",
        ),
        "invoices.overdue_open": ngettext_lazy(
            "%(count)s overdue invoice still unpaid: %(amount_money)s",
            "%(count)s overdue invoices still unpaid: %(amount_money)s in all",
            "count",
        ),
        "invoices.disputed": ngettext_lazy(
            "%(disputed)s of %(count)s invoice disputed",
            "%(disputed)s of %(count)s invoices disputed",
            "count",
        ),
        "invoices.discounts": ngettext_lazy(
            "pushed for a discount after agreeing on %(count)s invoice: %(total_money)s",
            "pushed for a discount after agreeing on %(count)s invoices: %(total_money)s in all",
            "count",
        ),
        "incidents.payment_disputes": ngettext_lazy(
            "%(count)s payment dispute or haggle logged in the last 12 months",
            "%(count)s payment disputes or haggles logged in the last 12 months",
            "count",
        ),
        "money.cost_over_revenue": _(
            "revenue %(revenue_money)s against %(cost_money)s cost to serve over 12 months"
        ),
        "money.expenses": _("of which %(amount_money)s in expenses over 12 months"),
        "size.cost": _(
            "cost to serve is %(ratio)s times revenue, at or above your mark of %(mark)s "
            "times: it counts as two serious flags"
        ),
        "size.overdue": _(
            "%(amount_money)s overdue is %(percent)s%% of their revenue over 12 months, at or "
            "above your mark of %(mark)s%%: it counts as two serious flags"
        ),
        "size.overdue_no_revenue": _(
            "%(amount_money)s overdue from a client with no revenue in 12 months: it counts "
            "as two serious flags"
        ),
        "money.unbilled": _(
            "%(hours)s hours of unbilled support, hand-holding, rework and meetings in 12 months"
        ),
        "incidents.competitor": ngettext_lazy(
            "played you against a competitor %(count)s time in the last 12 months",
            "played you against a competitor %(count)s times in the last 12 months",
            "count",
        ),
        "incidents.reputation": ngettext_lazy(
            "%(count)s threat to your reputation in the last 12 months",
            "%(count)s threats to your reputation in the last 12 months",
            "count",
        ),
        "incidents.changed_mind": ngettext_lazy(
            "%(count)s change of mind or scope in the last 90 days",
            "%(count)s changes of mind or scope in the last 90 days",
            "count",
        ),
        "client.hourly": _(
            "billed by the hour, so every change adds to the bill (not proposed for that reason)"
        ),
        "incidents.ignored_advice": ngettext_lazy(
            "ignored your advice, then expected you to put it right, %(count)s time in the "
            "last 12 months",
            "ignored your advice, then expected you to put it right, %(count)s times in the "
            "last 12 months",
            "count",
        ),
        "deliveries.complaints_after_each": ngettext_lazy(
            "complained after each of the last %(deliveries)s delivery",
            "complained after each of the last %(deliveries)s deliveries",
            "deliveries",
        ),
        "deliveries.complaints_after": ngettext_lazy(
            "complained after %(count)s of the last %(deliveries)s delivery",
            "complained after %(count)s of the last %(deliveries)s deliveries",
            "deliveries",
        ),
        "incidents.complaints": ngettext_lazy(
            "%(count)s complaint in the last 90 days",
            "%(count)s complaints in the last 90 days",
            "count",
        ),
        "client.no_referrals": ngettext_lazy(
            "no referrals in %(count)s year",
            "no referrals in %(count)s years",
            "count",
        ),
        "client.billing_unknown": _(
            "the billing model is not recorded: if you bill by the hour, changes add to the "
            "bill and this is no problem; if not, it may be (answer it yourself)"
        ),
        "client.referrals_unknown": ngettext_lazy(
            "referrals are not recorded, after %(count)s year as a client: has this client "
            "ever sent anyone your way? (answer it yourself)",
            "referrals are not recorded, after %(count)s years as a client: has this client "
            "ever sent anyone your way? (answer it yourself)",
            "count",
        ),
        "client.contract_unknown": _(
            "whether there is a written contract is not recorded: check what scope was agreed, "
            "first e-mails included"
        ),
        "client.no_referrals_yet": _("no referrals yet, in less than a year as a client"),
        "client.referrals": ngettext_lazy(
            "has sent you %(count)s referral",
            "has sent you %(count)s referrals",
            "count",
        ),
        "money.share": _(
            "this client is %(percent)s%% of your revenue (%(revenue_money)s of "
            "%(total_money)s over 12 months)"
        ),
    }
)

# Link kind -> (URL name taking the row's pk, label). The label gets `ref`.
LINK_KINDS: Mapping[str, tuple[str, Promise]] = MappingProxyType(
    {
        "incident": ("assessments:incident_detail", _("incident %(ref)s")),
        "invoice": ("assessments:invoice_edit", _("invoice %(ref)s")),
        "contact": ("assessments:contact_detail", _("%(ref)s")),
        "client": ("assessments:client_detail", _("client page")),
    }
)


def format_money(amount: Decimal, currency: str) -> str:
    """12000 EUR -> "€12,000" in English, "12.000 €" in Croatian; cents only where there
    are any (clientreview.lib.l10n, Babel's CLDR data)."""
    return l10n.format_money(amount, currency)


CENT = Decimal("0.01")


def money_param(amount: Decimal) -> str:
    """Money as it is kept in a fact's parameters: an exact decimal string."""
    return str(amount.quantize(CENT))


def _display_params(params: Mapping[str, Any]) -> dict[str, Any]:
    currency = str(params.get("currency", ""))
    shown: dict[str, Any] = {}
    for key, value in params.items():
        if key.endswith("_money"):
            try:
                shown[key] = format_money(Decimal(str(value)), currency)
            except InvalidOperation:
                shown[key] = str(value)
        elif key.endswith("_date"):
            try:
                shown[key] = date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
            except ValueError:
                shown[key] = str(value)
        else:
            shown[key] = value
    return shown


@dataclass(frozen=True)
class Link:
    """A record behind a fact: `kind` picks the page, `pk` the row, `ref` what to call it."""

    kind: str
    pk: int
    ref: str = ""

    @property
    def url_name(self) -> str:
        return LINK_KINDS[self.kind][0]

    @property
    def label(self) -> str:
        return str(LINK_KINDS[self.kind][1]) % {"ref": self.ref}

    @property
    def url(self) -> str:
        """The page, or "" when it does not exist (yet): the label is then shown unlinked."""
        try:
            return reverse(self.url_name, args=[self.pk])
        except NoReverseMatch:
            return ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "pk": self.pk, "ref": self.ref}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Link | None:
        if data.get("kind") not in LINK_KINDS:
            return None
        try:
            return cls(kind=str(data["kind"]), pk=int(data["pk"]), ref=str(data.get("ref", "")))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Fact:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    # Rendered text kept from a snapshot: used only if `code` is unknown.
    fallback: str = field(default="", compare=False)

    @property
    def text(self) -> str:
        """The fact in the active language."""
        message = MESSAGES.get(self.code)
        if message is None:
            return self.fallback or self.code
        # The lazy message picks its plural form from the parameters, so it is
        # formatted before it is turned into text.
        return str(message % _display_params(self.params))

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": dict(self.params),
            "links": [link.to_json() for link in self.links],
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fact:
        links = tuple(
            link for link in (Link.from_json(d) for d in data.get("links", [])) if link is not None
        )
        return cls(
            code=str(data.get("code", "")),
            params=dict(data.get("params") or {}),
            links=links,
            fallback=str(data.get("text", "")),
        )
