"""The plan's wording: talking points, the letter, and the checklists, in pure functions.

`build_text()` takes the situation (`assessments.plan.PlanSituation`), the owner's
resolved choices and the names to use, and returns sentences in the active
language. The letter gives exactly one reason, framed by exactly one documented
fact; the other facts belong in the private briefing, which the PDF template
lists from the assessment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments import plan_facts
from assessments.plan import (
    Goodwill,
    InvoiceLine,
    Method,
    NoticeKind,
    Partner,
    PlanSituation,
    Reason,
    day,
    money,
    sentence,
)


@dataclass(frozen=True)
class PlanChoices:
    """The owner's choices, resolved to plain data (what a saved plan holds)."""

    reason: Reason
    fact: str
    goodwill: str
    goodwill_amount: Decimal
    goodwill_invoice: InvoiceLine | None
    apology: bool
    partners: tuple[Partner, ...]
    provider_kind: str
    notice_kind: str
    notice_days: int
    work_ends_on: date | None
    method: str
    witness: str
    announce_on: date
    private_notes: str = ""

    @property
    def ends_on(self) -> date:
        if self.notice_kind == NoticeKind.END_OF_WORK and self.work_ends_on:
            return self.work_ends_on
        return self.announce_on + timedelta(days=self.notice_days)


def resolve_choices(s: PlanSituation, c: dict, partners: tuple[Partner, ...] = ()) -> PlanChoices:
    """The form's cleaned (and checked) data as PlanChoices, for the letter preview."""
    reason = next((r for r in s.reasons if r.key == c.get("reason_flag")), None)
    if reason is None:
        raise ValueError("the reason must be one of the situation's confirmed flags")
    return PlanChoices(
        reason=reason,
        fact=c.get("reason_fact") or "",
        goodwill=c.get("goodwill") or Goodwill.NONE,
        goodwill_amount=c.get("goodwill_amount") or Decimal("0.00"),
        goodwill_invoice=s.invoice(c.get("goodwill_invoice")),
        apology=bool(c.get("apology")),
        partners=partners,
        provider_kind=c.get("provider_kind") or "",
        notice_kind=c.get("notice_kind") or NoticeKind.DAYS,
        notice_days=c.get("notice_days") or s.notice_period_days,
        work_ends_on=c.get("work_ends_on"),
        method=c.get("method") or Method.WRITING,
        witness=c.get("witness") or "",
        announce_on=c.get("announce_on") or s.suggested_announce(),
        private_notes=c.get("private_notes") or "",
    )


@dataclass(frozen=True)
class People:
    business: str
    owner: str
    client: str
    addressee: str
    currency: str
    client_since: date


@dataclass
class PlanText:
    """Everything the PDF says in sentences; tables and charts come from the figures."""

    how_and_when: str = ""
    talking_points: list[str] = field(default_factory=list)
    keep_brief: str = ""
    greeting: str = ""
    letter: list[str] = field(default_factory=list)
    sign_off: list[str] = field(default_factory=list)
    cooling_off: str = ""
    contract: list[str] = field(default_factory=list)
    owed: str = ""
    collect_first: str = ""
    safety_note: str = ""
    after: list[str] = field(default_factory=list)
    prevention: list[str] = field(default_factory=list)


def _goodwill_sentence(c: PlanChoices, currency: str) -> str:
    amount = money(c.goodwill_amount, currency)
    number = c.goodwill_invoice.number if c.goodwill_invoice else ""
    if c.goodwill == Goodwill.REFUND_LAST:
        return _(
            "You should not have to pay for an experience that did not make you happy, so I "
            "am refunding invoice %(number)s: %(amount)s."
        ) % {"number": number, "amount": amount}
    if c.goodwill == Goodwill.CANCEL_OPEN:
        return _(
            "As a gesture of goodwill I am cancelling invoice %(number)s (%(amount)s): you "
            "do not need to pay it."
        ) % {"number": number, "amount": amount}
    if c.goodwill == Goodwill.WAIVE_FEE:
        return _("As a gesture of goodwill I am waiving %(amount)s of fees.") % {"amount": amount}
    return ""


def _referral_sentence(c: PlanChoices) -> str:
    names = [p.describe() for p in c.partners]
    kind = " ".join(c.provider_kind.split())
    if names and kind:
        return _("You might try %(names)s, or look for %(kind)s.") % {
            "names": _(" or ").join(names),
            "kind": kind,
        }
    if names:
        return _("You might try %(names)s.") % {"names": _(" or ").join(names)}
    if kind:
        return _("You might look for %(kind)s: it would suit your needs better.") % {"kind": kind}
    return ""


def _notice_sentence(c: PlanChoices) -> str:
    if c.notice_kind == NoticeKind.END_OF_WORK and c.work_ends_on:
        return _(
            "We will finish the current piece of work, due on %(end)s, and our work together "
            "will end then."
        ) % {"end": day(c.ends_on)}
    return ngettext(
        "To give you time to make other arrangements, we will continue until %(end)s, "
        "%(days)d day from today; after that we will take on no new work.",
        "To give you time to make other arrangements, we will continue until %(end)s, "
        "%(days)d days from today; after that we will take on no new work.",
        c.notice_days,
    ) % {"end": day(c.ends_on), "days": c.notice_days}


def _contract_sentence(s: PlanSituation, c: PlanChoices) -> str:
    """The clause the notice follows, when the contract has one (with a space after)."""
    if not s.has_termination_clause:
        return ""
    if s.contract_notice_days and c.notice_kind == NoticeKind.DAYS:
        if c.notice_days >= s.contract_notice_days:
            return (
                ngettext(
                    "Under the termination clause of our contract, either of us may end our work "
                    "together with %(days)d day's notice.",
                    "Under the termination clause of our contract, either of us may end our work "
                    "together with %(days)d days' notice.",
                    s.contract_notice_days,
                )
                % {"days": s.contract_notice_days}
                + " "
            )
        return ""  # the owner chose less: the plan warns them; the letter cites nothing false
    return _("This follows the termination clause of our contract.") + " "


def _how_and_when(s: PlanSituation, c: PlanChoices) -> str:
    when = day(c.announce_on)
    if c.method == Method.WRITING:
        return _("Tell them in writing only, on %(date)s: send the letter below.") % {"date": when}
    if c.method == Method.PHONE and c.witness:
        return _(
            "Tell them by phone on %(date)s, with %(witness)s listening as a witness; send "
            "the letter below the same day so it is on record."
        ) % {"date": when, "witness": c.witness}
    how = {
        Method.IN_PERSON: _("Tell them face to face on %(date)s"),
        Method.PHONE: _("Tell them by phone on %(date)s"),
        Method.VIDEO: _("Tell them on a video call on %(date)s"),
    }[c.method] % {"date": when}
    return how + _(", then send the letter below to confirm it in writing.")


def build_text(s: PlanSituation, c: PlanChoices, p: People) -> PlanText:
    """The plan's sentences, in the order of the domain brief's steps."""
    t = PlanText()
    fact = sentence(c.fact)
    since = plan_facts.since(p.client_since)
    goodwill = _goodwill_sentence(c, p.currency)
    referral = _referral_sentence(c)
    apology = _(
        "We like to think our service suits everyone, but it did not in this case, and I am sorry."
    )
    reason = _("I no longer think our services meet your needs.")

    # The conversation: the same steps as the letter, in the same order.
    t.how_and_when = _how_and_when(s, c)
    t.talking_points.append(
        _("Thank them: “Thank you for working with us since %(since)s.”") % {"since": since}
    )
    t.talking_points.append(
        _("Frame it with the one documented fact, never a personal attack: “%(fact)s %(reason)s”")
        % {"fact": fact, "reason": reason}
    )
    t.talking_points.append(
        _("Offer goodwill: “%(offer)s”") % {"offer": goodwill}
        if goodwill
        else _("Goodwill: none is planned; do not improvise one in the moment.")
    )
    if c.apology:
        t.talking_points.append(_("Apologise: “%(apology)s”") % {"apology": apology})
    if referral:
        t.talking_points.append(_("Suggest alternatives: “%(referral)s”") % {"referral": referral})
    elif s.safety:
        t.talking_points.append(_("No referral is owed to a client with a record of abuse."))
    t.talking_points.append(_("Give notice: “%(notice)s”") % {"notice": _notice_sentence(c)})
    t.keep_brief = _(
        "Keep it brief: one reason is enough. The more detail you give, the more you open the "
        "door to argument. If they push back, repeat the reason calmly; the private briefing "
        "is for you, not for them."
    )

    # The letter: exactly one reason, framed by exactly one fact.
    t.greeting = _("Dear %(name)s,") % {"name": p.addressee}
    if s.safety:
        t.letter.append(
            _("Thank you for working with %(business)s since %(since)s.")
            % {"business": p.business, "since": since}
        )
    else:
        t.letter.append(
            _(
                "Thank you for working with %(business)s since %(since)s. We really "
                "appreciate you choosing us and the time you have spent with our team."
            )
            % {"business": p.business, "since": since}
        )
    t.letter.append(
        _(
            "%(fact)s Having thought about it carefully, I no longer think our services meet "
            "your needs, so I have decided to end our work together."
        )
        % {"fact": fact}
    )
    if goodwill:
        t.letter.append(goodwill)
    if c.apology:
        t.letter.append(apology)
    if referral:
        t.letter.append(referral)
    t.letter.append(_contract_sentence(s, c) + _notice_sentence(c))
    if s.safety:
        t.letter.append(_("Please send any questions about this to me in writing."))
    t.letter.append(_("I wish you every success."))
    t.sign_off = [_("Kind regards,"), p.owner, p.business]

    _before_you_act(s, c, p, t)
    _after(s, c, p, t)
    return t


def _before_you_act(s: PlanSituation, c: PlanChoices, p: People, t: PlanText) -> None:
    if s.act_not_before:
        t.cooling_off = _(
            "Take the emotion out: do not act before %(date)s. Decisions made out of "
            "frustration or bruised ego are the ones people regret."
        ) % {"date": day(s.act_not_before)}
    else:
        t.cooling_off = _(
            "Take the emotion out: wait a few days before you act, and do not act out of "
            "frustration or bruised ego."
        )
    if s.has_written_contract:
        t.contract.append(
            _(
                "There is a written contract: review it line by line for loose ends (notice, "
                "work still to deliver, what is owed)."
            )
        )
    elif s.has_written_contract is None:
        t.contract.append(
            _(
                "Whether there is a written contract is not recorded: look for one first; "
                "without it, gather every document that defines the scope and what was "
                "expected, first e-mails included."
            )
        )
    else:
        t.contract.append(
            _(
                "There is no written contract: gather every document that defines the scope "
                "and what was expected, first e-mails included."
            )
        )
    warning = s.notice_warning(c.notice_days, c.notice_kind)
    if warning:
        t.contract.append(warning)
    elif s.contract_notice_days:
        t.contract.append(
            _("The contract asks for %(days)d days' notice: the plan gives it.")
            % {"days": s.contract_notice_days}
        )
    t.contract.append(_("Have you met all your obligations?"))
    t.contract.append(_("Have you delivered everything they have already paid for?"))
    t.contract.append(_("Is any work still to finish before %(date)s?") % {"date": day(c.ends_on)})
    owed = s.money_owed
    if c.goodwill == Goodwill.CANCEL_OPEN and c.goodwill_invoice:
        owed -= c.goodwill_invoice.amount
    if s.open_invoices:
        t.owed = ngettext(
            "%(amount)s is open on %(count)d invoice.",
            "%(amount)s is open on %(count)d invoices.",
            len(s.open_invoices),
        ) % {"amount": money(s.money_owed, p.currency), "count": len(s.open_invoices)}
    else:
        t.owed = _("Nothing is owed: every invoice is paid.")
    if owed > 0:
        last_due = max(i.due_on for i in s.open_invoices)
        t.collect_first = _(
            "Collect before you announce: %(amount)s is still to be paid (the last of it is "
            "due on %(due)s). Tell them after it is paid, on %(date)s at the earliest, so "
            "ending the relationship does not cost you what you are owed."
        ) % {
            "amount": money(owed, p.currency),
            "due": day(last_due),
            "date": day(max(c.announce_on, last_due + timedelta(days=1))),
        }
    if s.safety:
        t.safety_note = _(
            "Safety first: abuse or threats are on record for this client. Do not meet them "
            "in private and do not send staff alone. Tell them in writing, or by phone with a "
            "witness on the call. Keep a copy of everything sent and received, log any reply "
            "as an incident, and call the police if anyone is threatened. No referral is owed "
            "to an abusive client."
        )


def _after(s: PlanSituation, c: PlanChoices, p: People, t: PlanText) -> None:
    t.after.append(
        _("The relationship ends on %(date)s: no new work after that day.")
        % {"date": day(c.ends_on)}
    )
    amount = money(c.goodwill_amount, p.currency)
    number = c.goodwill_invoice.number if c.goodwill_invoice else ""
    if c.goodwill == Goodwill.REFUND_LAST:
        t.after.append(
            _("Refund invoice %(number)s (%(amount)s) and keep the proof of payment.")
            % {"number": number, "amount": amount}
        )
    elif c.goodwill == Goodwill.CANCEL_OPEN:
        t.after.append(
            _("Issue a credit note cancelling invoice %(number)s (%(amount)s).")
            % {"number": number, "amount": amount}
        )
    elif c.goodwill == Goodwill.WAIVE_FEE:
        t.after.append(
            _("Leave the waived fee (%(amount)s) off the final invoice.") % {"amount": amount}
        )
    t.after.append(
        _("Send the final invoice for the work done up to %(date)s, and collect it.")
        % {"date": day(c.ends_on)}
    )
    t.after.append(
        _(
            "Record the exit in ClientReview: the client is marked offboarded, its page says "
            "not to re-engage, and no new invoices or time can be logged for it."
        )
    )
    t.prevention = [
        _("Scope: exactly which services are included, and which are not."),
        _("Price: what each part costs and what counts as extra."),
        _("Timeline: when each piece is delivered and when decisions are due."),
        _("Terms: payment terms, notice, contact hours."),
        _("Every change written down as an addendum, with its effect on price and timeline."),
        _(
            "No contract? A sign or brochure that states what customers can expect. If you "
            "end relationships several times a month, fix how you take clients on."
        ),
    ]
