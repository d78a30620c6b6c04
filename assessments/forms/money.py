"""Forms for what a client was billed and paid (owners) and the time spent serving them.

These forms only check input; `assessments.services.clients` saves, so that the
rules that must hold however a row is written (an offboarded client gets no new
invoice or time, a duplicate number loses the race cleanly) live in one place.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Business, User
from assessments.models import Client, Delivery, Expense, Invoice, TimeEntry
from assessments.models.money import MAX_AMOUNT

# Before this, a date is a typo (19 for 2019, 1025 for 2025), not history.
EARLIEST_DATE = date(1970, 1, 1)
# Invoices may be drafted ahead, but not years ahead.
ISSUE_AHEAD_DAYS = 366
LONGEST_TERMS_DAYS = 3650
DATE_WIDGET = {"type": "date"}


def check_date(value: date | None, *, latest: date, field_label: str = "") -> str | None:
    """The message for a date outside [EARLIEST_DATE, latest], or None when it is plausible."""
    if value is None:
        return None
    if value < EARLIEST_DATE:
        return str(_("Check the year: dates before 1970 are not accepted."))
    if value > latest:
        return str(_("This date is too far in the future."))
    return None


def invoice_date_errors(
    issued: date | None, due: date | None, paid: date | None, *, today: date
) -> dict[str, str]:
    """Every date rule of an invoice, shared by the invoice form and the CSV import."""
    errors: dict[str, str] = {}
    if message := check_date(issued, latest=today + timedelta(days=ISSUE_AHEAD_DAYS)):
        errors["issued_on"] = message
    if message := check_date(due, latest=today + timedelta(days=ISSUE_AHEAD_DAYS * 11)):
        errors["due_on"] = message
    if message := check_date(paid, latest=today):
        errors["paid_on"] = (
            str(_("A payment cannot be recorded in the future."))
            if paid and paid >= EARLIEST_DATE
            else message
        )
    if issued and "issued_on" not in errors:
        if due and "due_on" not in errors:
            if due < issued:
                errors["due_on"] = str(_("The due date cannot be before the issue date."))
            elif (due - issued).days > LONGEST_TERMS_DAYS:
                errors["due_on"] = str(_("Payment terms of more than ten years are not accepted."))
        if paid and "paid_on" not in errors and paid < issued:
            errors["paid_on"] = str(_("An invoice cannot be paid before it was issued."))
    return errors


class InvoiceForm(forms.ModelForm):
    class Meta:
        model = Invoice
        fields = [
            "number",
            "issued_on",
            "due_on",
            "amount",
            "paid_on",
            "disputed",
            "dispute_note",
            "discount_pushed",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "due_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "paid_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
            "discount_pushed": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args: Any, client: Client, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.business = business
        self.fields["due_on"].required = False
        self.fields["due_on"].help_text = _(
            "Leave empty for the client's payment terms (%(days)d days after issue)."
        ) % {"days": client.payment_terms_days}
        self.fields["dispute_note"].help_text = _("Required when the invoice is disputed.")
        self.fields["discount_pushed"].required = False
        self.fields["amount"].label = _("Amount (%(currency)s)") % {"currency": business.currency}

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than 0."), code="min_value")
        if amount > MAX_AMOUNT:
            raise forms.ValidationError(_("This amount is too large."), code="max_value")
        return amount

    def clean_discount_pushed(self) -> Decimal:
        discount = self.cleaned_data["discount_pushed"]
        if discount is None:
            return Decimal("0")
        if discount < 0:
            raise forms.ValidationError(_("The discount cannot be negative."), code="min_value")
        return discount

    def clean_number(self) -> str:
        number = self.cleaned_data["number"]
        if self._number_taken(number):
            raise forms.ValidationError(
                _("Invoice number %(number)s is already used in this business."),
                code="duplicate",
                params={"number": number},
            )
        return number

    def _number_taken(self, number: str) -> bool:
        others = Invoice.objects.filter(business=self.business, number=number)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        return others.exists()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        issued, paid = cleaned.get("issued_on"), cleaned.get("paid_on")
        due = cleaned.get("due_on")
        if issued and due is None and "due_on" not in self.errors:
            due = issued + timedelta(days=self.client.payment_terms_days)
            cleaned["due_on"] = due
        for name, message in invoice_date_errors(
            issued, due, paid, today=timezone.localdate()
        ).items():
            if name not in self.errors:
                self.add_error(name, message)
        if cleaned.get("disputed") and not cleaned.get("dispute_note", "").strip():
            self.add_error("dispute_note", _("Say what the client disputed."))
        amount, discount = cleaned.get("amount"), cleaned.get("discount_pushed")
        if amount is not None and discount is not None and discount > amount:
            self.add_error("discount_pushed", _("The discount cannot be more than the amount."))
        return cleaned

    def _post_clean(self) -> None:
        # The business and client are not form fields; set them before model validation.
        self.instance.business = self.business
        self.instance.client = self.client
        super()._post_clean()


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice = invoice

    def clean_paid_on(self) -> date:
        paid = self.cleaned_data["paid_on"]
        errors = invoice_date_errors(self.invoice.issued_on, None, paid, today=timezone.localdate())
        if "paid_on" in errors:
            raise forms.ValidationError(errors["paid_on"])
        return paid


_HOURS_MINUTES = re.compile(r"^(\d{1,2})\s*[:h]\s*([0-5]?\d)?\s*m?$")
_MINUTES = re.compile(r"^(\d{1,4})\s*m?$")
MAX_MINUTES = 24 * 60


class DurationField(forms.CharField):
    """Time spent, typed as minutes ("90") or hours:minutes ("1:30"); cleans to minutes."""

    default_error_messages = {
        "invalid": _("Type minutes (90) or hours and minutes (1:30)."),
        "range": _("Between 1 minute and 24 hours."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return f"{value // 60}:{value % 60:02d}"
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip().lower()
        if not text:
            return None
        if match := _HOURS_MINUTES.match(text):
            minutes = int(match.group(1)) * 60 + int(match.group(2) or 0)
        elif match := _MINUTES.match(text):
            minutes = int(match.group(1))
        else:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if not 1 <= minutes <= MAX_MINUTES:
            raise forms.ValidationError(self.error_messages["range"], code="range")
        return minutes

    def validate(self, value: Any) -> None:
        if value in (None, "") and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:
        # The max_length validator is for the text typed, already checked by the pattern.
        return None


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.name or obj.email


class TimeEntryForm(forms.ModelForm):
    """Log time: staff see no money, so the cost rate is an owner-only field."""

    duration = DurationField(
        label=_("Time spent"),
        help_text=_("Minutes (90) or hours:minutes (1:30)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = TimeEntry
        fields = ["date", "kind", "user", "cost_rate", "note"]
        widgets = {"date": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")}

    field_order = ["date", "duration", "kind", "user", "cost_rate", "note"]

    def __init__(
        self,
        *args: Any,
        client: Client,
        business: Business,
        user: User,
        show_cost: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.business = business
        self.fields["user"] = MemberChoiceField(
            label=_("Who"),
            queryset=User.objects.filter(memberships__business=business).order_by("name", "email"),
            initial=user.pk,
        )
        if self.instance.pk:
            self.fields["duration"].initial = self.instance.minutes
        if show_cost:
            self.fields["cost_rate"].required = False
            self.fields["cost_rate"].label = _("Cost per hour (%(currency)s)") % {
                "currency": business.currency
            }
            self.fields["cost_rate"].help_text = _(
                "Leave empty for the business's default (%(rate)s %(currency)s)."
            ) % {"rate": business.staff_cost_rate, "currency": business.currency}
        else:
            del self.fields["cost_rate"]

    def clean_date(self) -> date:
        value = self.cleaned_data["date"]
        if message := check_date(value, latest=timezone.localdate()):
            raise forms.ValidationError(
                _("Time cannot be logged for a future day.") if value >= EARLIEST_DATE else message
            )
        return value

    def _post_clean(self) -> None:
        self.instance.business = self.business
        self.instance.client = self.client
        if "duration" in self.cleaned_data:
            self.instance.minutes = self.cleaned_data["duration"]
        if "cost_rate" in self.fields and self.cleaned_data.get("cost_rate") is None:
            self.cleaned_data["cost_rate"] = self.business.staff_cost_rate
        if self.instance.pk is None and "cost_rate" not in self.fields:
            self.instance.cost_rate = self.business.staff_cost_rate
        super()._post_clean()


class ExpenseForm(forms.ModelForm):
    """Money spent serving the client other than time: part of the cost to serve."""

    class Meta:
        model = Expense
        fields = ["date", "amount", "category", "note"]
        widgets = {
            "date": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
        }

    def __init__(self, *args: Any, client: Client, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.business = business
        self.fields["amount"].label = _("Amount (%(currency)s)") % {"currency": business.currency}
        self.fields["category"].choices = [("", _("No category")), *Expense.Category.choices]
        self.fields["note"].help_text = _("What it was for: a train ticket, materials, a printer.")

    def clean_date(self) -> date:
        value = self.cleaned_data["date"]
        if message := check_date(value, latest=timezone.localdate()):
            raise forms.ValidationError(message)
        return value

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be more than 0."), code="min_value")
        if amount > MAX_AMOUNT:
            raise forms.ValidationError(_("This amount is too large."), code="max_value")
        return amount

    def _post_clean(self) -> None:
        self.instance.business = self.business
        self.instance.client = self.client
        super()._post_clean()


class InvoiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Invoice) -> str:
        return str(
            _("%(number)s of %(date)s")
            % {"number": obj.number, "date": date_format(obj.issued_on, "SHORT_DATE_FORMAT")}
        )


class DeliveryForm(forms.ModelForm):
    """A piece of delivered work. The invoice that billed it is an owner-only field (staff
    see no money); only this client's invoices are on offer or accepted."""

    class Meta:
        model = Delivery
        fields = ["delivered_on", "title", "invoice", "note"]
        widgets = {"delivered_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")}

    # The latest invoices offered in the list (the one a delivery is tied to stays on offer).
    INVOICES_OFFERED = 50

    def __init__(
        self, *args: Any, client: Client, business: Business, show_invoices: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.business = business
        self.fields["title"].error_messages["required"] = _("Say what was delivered.")
        if show_invoices:
            invoices = Invoice.objects.filter(business=business, client=client)
            field = InvoiceChoiceField(
                label=_("Billed on invoice (optional)"),
                queryset=invoices,
                required=False,
                empty_label=_("— not tied to an invoice —"),
            )
            latest = list(invoices.order_by("-issued_on", "-id")[: self.INVOICES_OFFERED])
            current = self.instance.invoice if self.instance.invoice_id else None
            if current is not None and current not in latest:
                latest.append(current)
            field.choices = [("", field.empty_label)] + [
                (i.pk, field.label_from_instance(i)) for i in latest
            ]
            self.fields["invoice"] = field
        else:
            del self.fields["invoice"]

    def clean_delivered_on(self) -> date:
        value = self.cleaned_data["delivered_on"]
        if message := check_date(value, latest=timezone.localdate()):
            raise forms.ValidationError(
                _("A delivery is recorded once it has been made.")
                if value >= EARLIEST_DATE
                else message
            )
        return value

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Say what was delivered."), code="required")
        return title

    def _post_clean(self) -> None:
        self.instance.business = self.business
        self.instance.client = self.client
        super()._post_clean()
