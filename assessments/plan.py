"""The offboarding plan as pure functions over plain data: the defaults and the rules.

No database and no views: `PlanSituation` is what the plan needs to know about the
client and its assessment, `default_choices()` proposes the choices, `check_choices()`
enforces the rules the form must not let through; `assessments.plan_text` writes the
talking points, the letter and the checklists from the same data.

The steps follow shared/domain.md ("Before you act", "How to end it"): be grateful,
frame it with one documented fact, extend goodwill, apologise, refer alternatives,
give notice; keep it brief, because one reason is enough. Safety overrides
etiquette: with abuse or threats on record nobody is sent to a private meeting, the
owner tells them in writing or by phone with a witness, and no referral is owed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models.plans import OffboardingPlan
from assessments.plan_facts import letter_fact, sentence
from assessments.redflags import BY_KEY, SAFETY_FLAG_KEYS
from assessments.scoring import strongest_flag

Goodwill = OffboardingPlan.Goodwill
NoticeKind = OffboardingPlan.NoticeKind
Method = OffboardingPlan.Method

# With abuse or threats on record: never a meeting in person or on video.
SAFE_METHODS: tuple[str, ...] = (Method.WRITING, Method.PHONE)
MAX_AHEAD_DAYS = 365  # an announcement or end date further out than a year is a typo
# Incident categories that put abuse on record for the apology default, confirmed or not.
ABUSE_CATEGORIES = frozenset({"physical_abuse", "verbal_abuse", "harassment", "threat"})
# Article 004: refer alternatives "unless the client was disrespectful or a big problem".
# A client whose abuse, legal risk, unethical requests or threats to your reputation
# are the reason is a big problem: a referral is the owner's choice, not a duty.
REFERRAL_OPTIONAL_FLAGS = SAFETY_FLAG_KEYS | {"legal_liability", "unethical", "reputation_threat"}
# Paying this late on average is "consistently slow" for the refund default (002 names
# 90-120 days as a payment risk; a month late already costs cash flow).
LATE_PAYER_AVERAGE_DAYS = 30
DEFAULT_PROVIDER_KIND = gettext_lazy("a provider that specialises in the work you need")


def money(amount: Decimal, currency: str) -> str:
    """An amount in the business currency, written as the evidence facts write it
    ("€12,000", "€1,234.50", "13 ISK"), so the plan and the review agree."""
    from assessments.evidence.facts import format_money

    # The bundled Latin font has no U+2212 (minus sign); a hyphen-minus never falls back.
    return format_money(amount, currency).replace("\u2212", "-")


def day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


__all__ = ["day", "money", "sentence"]


@dataclass(frozen=True)
class Fact:
    text: str
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    """A confirmed red flag of the assessment with the facts that documented it."""

    key: str
    title: str
    tier: str
    facts: tuple[Fact, ...] = ()
    note: str = ""  # the owner's own note on the flag, when they wrote one

    @property
    def is_safety(self) -> bool:
        return self.key in SAFETY_FLAG_KEYS

    @property
    def framing(self) -> str:
        """The default documented fact for the letter: the first fact, else the note."""
        return self.facts[0].text if self.facts else self.note


def _fact(data: object) -> Fact | None:
    if not isinstance(data, Mapping):
        return Fact(str(data)) if data else None
    # Facts recorded by the evidence rules keep a code and parameters: rendered again
    # here, they come out in the language the plan is built in.
    from assessments.evidence.facts import Fact as EvidenceFact
    from assessments.evidence.facts import Link

    text = EvidenceFact.from_json(data).text if data.get("code") else str(data.get("text", ""))
    labels = []
    for link in data.get("links") or ():
        if isinstance(link, Mapping):
            parsed = Link.from_json(link)
            if parsed is not None and parsed.kind != "client":
                labels.append(parsed.label)
            elif parsed is None and link.get("label"):
                labels.append(str(link["label"]))
        elif link:
            labels.append(str(link))
    return Fact(" ".join(text.split()), tuple(labels)) if text.strip() else None


def reasons_from_snapshot(
    snapshot: Sequence[Mapping[str, Any]], confirmed_keys: Iterable[str] | None = None
) -> tuple[Reason, ...]:
    """The confirmed flags, most severe first, with the facts the assessment recorded.

    `snapshot` is `Assessment.reasons`: [{"flag", "answer", "note", "facts": [{"code",
    "params", "links", "text"}]}]; entries answered "unsure" are not reasons.
    `confirmed_keys` (the "yes" answers) adds flags the snapshot lists without facts.
    Unknown keys are skipped: a plan never fails on an old snapshot.
    """
    facts: dict[str, list[Fact]] = {}
    notes: dict[str, str] = {}
    keys: set[str] = {k for k in confirmed_keys or () if k in BY_KEY}
    for item in snapshot or ():
        key = str(item.get("flag") or "")
        if key not in BY_KEY or item.get("answer", "yes") != "yes":
            continue
        keys.add(key)
        notes[key] = " ".join(str(item.get("note") or "").split())
        facts[key] = [f for f in map(_fact, item.get("facts") or ()) if f is not None]
    ordered = sorted((BY_KEY[k] for k in keys), key=lambda flag: flag.sort_key)
    return tuple(
        Reason(
            key=flag.key,
            title=str(flag.title),
            tier=str(flag.tier.label),
            facts=tuple(facts.get(flag.key, ())),
            note=notes.get(flag.key, ""),
        )
        for flag in ordered
    )


@dataclass(frozen=True)
class InvoiceLine:
    id: int
    number: str
    amount: Decimal
    issued_on: date
    due_on: date
    paid_on: date | None = None
    disputed: bool = False
    discount_pushed: Decimal = Decimal("0.00")

    @property
    def is_open(self) -> bool:
        return self.paid_on is None

    def days_late(self, today: date) -> int:
        return max(0, ((self.paid_on or today) - self.due_on).days)


@dataclass(frozen=True)
class IncidentLine:
    """A logged incident as the letter may cite it: what kind, and when."""

    number: int
    category: str
    occurred_on: date
    # The delivery it was about, if it says (its id and the day it was delivered).
    delivery_id: int | None = None
    delivered_on: date | None = None


@dataclass(frozen=True)
class DeliveryLine:
    """A piece of work delivered to the client, as the letter may cite it."""

    id: int
    delivered_on: date


@dataclass(frozen=True)
class Partner:
    id: int
    name: str
    speciality: str = ""
    contact: str = ""

    def describe(self) -> str:
        extra = ", ".join(part for part in (self.speciality, self.contact) if part)
        return f"{self.name} ({extra})" if extra else self.name


@dataclass(frozen=True)
class PlanSituation:
    """What the plan needs to know about the client and its completed assessment."""

    verdict: str
    reasons: tuple[Reason, ...]
    today: date
    notice_period_days: int
    act_not_before: date | None = None
    invoices: tuple[InvoiceLine, ...] = ()
    # None: not recorded (the plan says so rather than assume either way).
    has_written_contract: bool | None = False
    contract_terms: str = ""
    # An open abuse flag on one of the client's contacts: on record even if unconfirmed.
    abuse_on_record: bool = False
    # The client's incidents of the last 12 months, oldest first (the letter's dates).
    incidents: tuple[IncidentLine, ...] = ()
    # The client's deliveries of the last 12 months, oldest first.
    deliveries: tuple[DeliveryLine, ...] = ()
    client_since: date | None = None
    # The client's contract: its notice period (None: it sets none) and termination clause.
    contract_notice_days: int | None = None
    has_termination_clause: bool = False

    @property
    def default_notice_days(self) -> int:
        """The contract's notice where it sets one, else the business's own."""
        return self.contract_notice_days or self.notice_period_days

    def notice_warning(self, days: int | None, kind: str = NoticeKind.DAYS) -> str:
        """A warning (not an error) when the owner gives less notice than the contract asks."""
        if kind != NoticeKind.DAYS or not self.contract_notice_days or not days:
            return ""
        if days >= self.contract_notice_days:
            return ""
        return _(
            "The contract asks for %(contract)d days' notice and the plan gives %(days)d: "
            "check the contract, or give the full notice, before you send the letter."
        ) % {"contract": self.contract_notice_days, "days": days}

    @property
    def safety(self) -> bool:
        return self.abuse_on_record or any(reason.is_safety for reason in self.reasons)

    @property
    def cooling_off(self) -> bool:
        return bool(self.act_not_before and self.today < self.act_not_before)

    @property
    def open_invoices(self) -> tuple[InvoiceLine, ...]:
        return tuple(sorted((i for i in self.invoices if i.is_open), key=lambda i: i.due_on))

    @property
    def money_owed(self) -> Decimal:
        return sum((i.amount for i in self.open_invoices), Decimal("0.00"))

    @property
    def last_paid(self) -> InvoiceLine | None:
        paid = [i for i in self.invoices if not i.is_open]
        return max(paid, key=lambda i: (i.paid_on, i.issued_on, i.id), default=None)

    def average_days_late(self) -> int:
        """Average days late over the invoices already due (paid or not); 0 without any."""
        due = [i for i in self.invoices if not i.is_open or i.due_on < self.today]
        if not due:
            return 0
        return sum(i.days_late(self.today) for i in due) // len(due)

    @property
    def reason_keys(self) -> frozenset[str]:
        return frozenset(r.key for r in self.reasons)

    @property
    def pays_late(self) -> bool:
        return (
            "slow_to_pay" in self.reason_keys or self.average_days_late() >= LATE_PAYER_AVERAGE_DAYS
        )

    @property
    def disputes(self) -> bool:
        return (
            "disputes_invoices" in self.reason_keys
            or any(i.disputed or i.discount_pushed > 0 for i in self.invoices)
            or any(i.category == "payment_dispute" for i in self.incidents)
        )

    @property
    def refund_unwise(self) -> bool:
        """No refund by default: money is owed, they pay late or dispute, or abuse."""
        return self.safety or bool(self.open_invoices) or self.pays_late or self.disputes

    @property
    def abuse_in_record(self) -> bool:
        """Abuse, threats or harassment on record: confirmed, flagged or logged."""
        return self.safety or any(i.category in ABUSE_CATEGORIES for i in self.incidents)

    @property
    def referral_optional(self) -> bool:
        return self.safety or bool(self.reason_keys & REFERRAL_OPTIONAL_FLAGS)

    def incidents_of(self, categories: Iterable[str]) -> tuple[IncidentLine, ...]:
        wanted = frozenset(categories)
        return tuple(i for i in self.incidents if i.category in wanted)

    @property
    def earliest_announce(self) -> date:
        """Not today (take a few days) and not inside the cooling-off period."""
        return max(self.today + timedelta(days=1), self.act_not_before or self.today)

    def suggested_announce(self) -> date:
        """Where money is owed: after the latest open invoice is due (collect first)."""
        earliest = self.earliest_announce
        if self.open_invoices:
            return max(earliest, max(i.due_on for i in self.open_invoices) + timedelta(days=1))
        return earliest

    def invoice(self, invoice_id: int | None) -> InvoiceLine | None:
        return next((i for i in self.invoices if i.id == invoice_id), None)


def default_choices(s: PlanSituation) -> dict[str, Any]:
    """The choices the form starts from (the keys are the form's fields)."""
    strongest = strongest_flag(BY_KEY[r.key] for r in s.reasons)
    reason = next((r for r in s.reasons if strongest and r.key == strongest.key), None)
    goodwill, invoice = Goodwill.NONE, None
    # Money owed is collected first; a client who pays late or disputes invoices has had
    # its goodwill already, and an abusive client is owed firmness, not a refund.
    if not s.refund_unwise and s.last_paid:
        goodwill, invoice = Goodwill.REFUND_LAST, s.last_paid
    return {
        "reason_flag": reason.key if reason else "",
        "reason_fact": letter_fact(reason.key, s) if reason else "",
        "goodwill": goodwill,
        "goodwill_invoice": invoice.id if invoice else None,
        "goodwill_amount": invoice.amount if invoice else Decimal("0.00"),
        # An apology to someone who abused your staff reads as taking the blame for it.
        "apology": not s.abuse_in_record,
        "partners": [],
        # Where a referral is owed, the defaults name one kind, so they validate as they are.
        "provider_kind": "" if s.referral_optional else str(DEFAULT_PROVIDER_KIND),
        "notice_kind": NoticeKind.DAYS,
        "notice_days": s.default_notice_days,
        "work_ends_on": None,
        "method": Method.WRITING if s.safety else Method.IN_PERSON,
        "witness": "",
        "announce_on": s.suggested_announce(),
    }


def check_choices(s: PlanSituation, c: dict[str, Any]) -> dict[str, list[str]]:
    """The rules, per field. `c` is cleaned form data; it is completed in place
    (the goodwill invoice and amount filled in where the owner left them empty)."""
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if c.get("reason_flag") not in {r.key for r in s.reasons}:
        error("reason_flag", _("Choose one of the flags this assessment confirmed."))
    _check_goodwill(s, c, error)
    method = c.get("method")
    if s.safety:
        if method not in SAFE_METHODS:
            error(
                "method",
                _(
                    "Abuse or threats are on record: tell them in writing, or by phone "
                    "with a witness, never in a private meeting."
                ),
            )
        elif method == Method.PHONE and not (c.get("witness") or "").strip():
            error("witness", _("Name the witness who will listen to the call."))
    if (
        not s.referral_optional
        and not c.get("partners")
        and not (c.get("provider_kind") or "").strip()
    ):
        error(
            "provider_kind",
            _("Refer them somewhere: choose a partner or describe the kind of provider."),
        )
    if method != Method.PHONE:
        c["witness"] = ""
    announce = c.get("announce_on")
    if announce:
        if announce < s.earliest_announce:
            error(
                "announce_on",
                _("Choose %(date)s or later: not today, and not inside the cooling-off period.")
                % {"date": day(s.earliest_announce)},
            )
        elif announce > s.today + timedelta(days=MAX_AHEAD_DAYS):
            error("announce_on", _("Choose a day within the next year."))
    if c.get("notice_kind") == NoticeKind.END_OF_WORK:
        ends = c.get("work_ends_on")
        if not ends:
            error("work_ends_on", _("Give the date the current piece of work ends."))
        elif announce and ends <= announce:
            error("work_ends_on", _("The work must end after the day you tell them."))
        elif ends > s.today + timedelta(days=2 * MAX_AHEAD_DAYS):
            error("work_ends_on", _("Choose an end date within the next two years."))
    else:
        c["work_ends_on"] = None
    return errors


def _check_goodwill(s: PlanSituation, c: dict[str, Any], error: Callable[[str, str], None]) -> None:
    kind = c.get("goodwill")
    chosen = s.invoice(c.get("goodwill_invoice"))
    amount = c.get("goodwill_amount")
    if kind == Goodwill.REFUND_LAST:
        chosen = chosen or s.last_paid
        if chosen is None or chosen.is_open:
            error("goodwill_invoice", _("Choose a paid invoice to refund."))
            return
        amount = amount or chosen.amount
        if amount > chosen.amount:
            error("goodwill_amount", _("A refund cannot be more than the invoice."))
    elif kind == Goodwill.CANCEL_OPEN:
        chosen = chosen or (s.open_invoices[-1] if len(s.open_invoices) == 1 else None)
        if chosen is None or not chosen.is_open:
            error("goodwill_invoice", _("Choose the open invoice to cancel."))
            return
        amount = chosen.amount  # cancelling an invoice cancels all of it
    elif kind == Goodwill.WAIVE_FEE:
        chosen = None
        if not amount or amount <= 0:
            error("goodwill_amount", _("Give the amount of the fee you waive."))
    else:
        chosen, amount = None, Decimal("0.00")
    c["goodwill_invoice"] = chosen.id if chosen else None
    c["goodwill_amount"] = amount or Decimal("0.00")
