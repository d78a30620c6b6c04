"""The offboarding plan form and the referral partner form.

The plan form offers only what the situation allows (the assessment's confirmed flags,
the client's own invoices, the business's own partners, and, where abuse or threats
are on record, only writing or a phone call) and then applies the rules of
`assessments.plan.check_choices` server-side, whatever the browser sent.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Contact, Invoice, OffboardingPlan, ReferralPartner
from assessments.plan import SAFE_METHODS, PlanSituation, check_choices, day, money
from clientreview.lib.forms import IdMultipleChoiceField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_MONEY = Decimal("999999999.99")


class PartnerForm(forms.ModelForm):
    class Meta:
        model = ReferralPartner
        fields = ["name", "speciality", "contact"]
        help_texts = {
            "speciality": _("What they do best, in a few words: “full-size agency”, “tax law”."),
            "contact": _("How the client can reach them: a phone number, e-mail or website."),
        }


class _InvoiceChoice(forms.ModelChoiceField):
    def __init__(self, *args, currency: str = "", **kwargs):
        self.currency = currency
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Invoice) -> str:
        state = _("paid") if obj.paid_on else _("open, due %(date)s") % {"date": day(obj.due_on)}
        return f"{obj.number} · {money(obj.amount, self.currency)} · {state}"


class PlanForm(forms.Form):
    reason_flag = forms.ChoiceField(label=_("The one reason to give"), widget=forms.RadioSelect)
    reason_fact = forms.CharField(
        label=_("The documented fact that frames it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One fact from the record, in words the client will recognise, never a personal "
            "attack. It goes into the letter as you write it."
        ),
    )
    goodwill = forms.ChoiceField(
        label=_("Goodwill"), choices=OffboardingPlan.Goodwill.choices, widget=forms.RadioSelect
    )
    goodwill_invoice = _InvoiceChoice(
        label=_("Invoice to refund or cancel"),
        queryset=Invoice.objects.none(),
        required=False,
        help_text=_("Leave empty to refund the last paid invoice."),
    )
    goodwill_amount = forms.DecimalField(
        label=_("Goodwill amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_MONEY,
        required=False,
        help_text=_("Leave empty to use the invoice's amount. Needed to waive a fee."),
    )
    apology = forms.BooleanField(label=_("Include an apology"), required=False)
    partners = IdMultipleChoiceField(
        label=_("Refer them to"),
        queryset=ReferralPartner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    provider_kind = forms.CharField(
        label=_("Or the kind of provider that would suit them"),
        max_length=300,
        required=False,
        help_text=_("For example: “a full-size agency, now that your needs have grown”."),
    )
    notice_kind = forms.ChoiceField(
        label=_("Notice"), choices=OffboardingPlan.NoticeKind.choices, widget=forms.RadioSelect
    )
    notice_days = forms.IntegerField(
        label=_("Notice (days)"), min_value=1, max_value=365, required=False
    )
    work_ends_on = forms.DateField(
        label=_("The current piece of work ends on"), required=False, widget=DATE_INPUT
    )
    method = forms.ChoiceField(
        label=_("How to tell them"),
        choices=OffboardingPlan.Method.choices,
        widget=forms.RadioSelect,
    )
    witness = forms.CharField(
        label=_("Witness on the call"),
        max_length=200,
        required=False,
        help_text=_("Someone from your side who listens to the whole call."),
    )
    announce_on = forms.DateField(label=_("The day to tell them"), widget=DATE_INPUT)
    private_notes = forms.CharField(
        label=_("Private notes"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only in the private briefing, never in the letter."),
    )

    def __init__(
        self, *args, situation: PlanSituation, invoices, partners, currency: str, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.situation = situation
        self.fields["reason_flag"].choices = [
            (r.key, f"{r.title} ({r.tier})") for r in situation.reasons
        ]
        invoice_field = self.fields["goodwill_invoice"]
        invoice_field.queryset = invoices
        invoice_field.currency = currency
        self.fields["partners"].queryset = partners
        if situation.safety:
            self.fields["method"].choices = [
                (value, label)
                for value, label in OffboardingPlan.Method.choices
                if value in SAFE_METHODS
            ]
            self.fields["method"].help_text = _(
                "Abuse or threats are on record: in writing, or by phone with a witness. "
                "Never a private meeting."
            )
            self.fields["partners"].help_text = _(
                "Optional: no referral is owed to a client with a record of abuse."
            )
        else:
            self.fields["partners"].help_text = _(
                "Choose from your referral partners, or describe the kind of provider below."
            )
        if situation.contract_notice_days:
            self.fields["notice_days"].help_text = _(
                "The contract asks for %(days)d days' notice; less is a warning, not an error."
            ) % {"days": situation.contract_notice_days}
        if situation.open_invoices:
            self.fields["announce_on"].help_text = _(
                "Money is owed: the suggested day is after the last open invoice is due."
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        invoice = cleaned.get("goodwill_invoice")
        cleaned["goodwill_invoice"] = invoice.pk if invoice else None
        days_missing = not cleaned.get("notice_days") and "notice_days" not in self.errors
        if cleaned.get("notice_kind") == OffboardingPlan.NoticeKind.DAYS and days_missing:
            self.add_error("notice_days", _("Give the notice in days."))
        if not cleaned.get("notice_days"):
            cleaned["notice_days"] = self.situation.default_notice_days
        for name, messages in check_choices(self.situation, cleaned).items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return cleaned


class SendLetterForm(forms.Form):
    """Whom to send the letter to: one of the client's contacts with an e-mail address."""

    contact = forms.ModelChoiceField(
        label=_("Send the letter to"), queryset=Contact.objects.none(), empty_label=None
    )

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts
        self.fields["contact"].label_from_instance = lambda c: f"{c.name} <{c.email}>"
