"""Forms for clients and their contacts, and the client list's search, filter and sort."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from assessments.forms.money import DATE_WIDGET, check_date
from assessments.models import Client, Contact


class ClientForm(forms.ModelForm):
    """Every field of a client. There is no delete: a client carries the record; its status
    moves on instead (offboarded clients stay, marked "do not re-engage")."""

    class Meta:
        model = Client
        fields = [
            "name",
            "client_since",
            "status",
            "billing_model",
            "payment_terms_days",
            "has_written_contract",
            "contract_terms",
            "referrals_sent",
            "long_standing",
            "notes",
        ]
        widgets = {
            "client_since": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "contract_terms": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        self.fields["payment_terms_days"].help_text = _("Days the client has to pay an invoice.")
        if self.instance.pk is None and not self.is_bound:
            # New clients start from the business's default terms.
            self.initial.setdefault("payment_terms_days", business.payment_terms_days)
        # "Not recorded" is an answer of its own: the review asks rather than assumes.
        self.fields["billing_model"].choices = [
            ("", _("Not recorded")),
            *Client.BillingModel.choices,
        ]
        for name in ("has_written_contract", "long_standing"):
            widget = forms.NullBooleanSelect()
            widget.choices = [
                ("unknown", _("Not recorded")),
                ("true", _("Yes")),
                ("false", _("No")),
            ]
            self.fields[name].widget = widget

    def clean_name(self) -> str:
        # One name, one client: the CSV import matches invoices to clients by name.
        name = self.cleaned_data["name"]
        others = Client.objects.filter(business=self.business, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("A client called %(name)s already exists."), params={"name": name}
            )
        return name

    def clean_client_since(self):
        value = self.cleaned_data["client_since"]
        if message := check_date(value, latest=timezone.localdate()):
            raise forms.ValidationError(message)
        return value

    def _post_clean(self) -> None:
        self.instance.business = self.business
        status = self.cleaned_data.get("status")
        if status == Client.Status.OFFBOARDED and self.instance.offboarded_on is None:
            self.instance.offboarded_on = timezone.localdate()
        elif status and status != Client.Status.OFFBOARDED:
            self.instance.offboarded_on = None
        super()._post_clean()


_PHONE = re.compile(r"^[0-9+()./\- ]*(?:(?:ext\.?|x) ?\d{1,6})?$", re.IGNORECASE)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone"]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if phone and (not _PHONE.match(phone) or not any(c.isdigit() for c in phone)):
            raise forms.ValidationError(_("Use digits, spaces and + - ( ) only."))
        return phone

    def _post_clean(self) -> None:
        self.instance.business_id = self.client.business_id
        self.instance.client = self.client
        super()._post_clean()


class FirstContactForm(ContactForm):
    """The optional first contact on the new-client page: all or nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].label = _("Contact name")
        self.fields["role"].label = _("Contact role")
        self.fields["email"].label = _("Contact e-mail")
        self.fields["phone"].label = _("Contact phone")

    @property
    def is_empty(self) -> bool:
        return not any(str(self.data.get(self.add_prefix(f), "")).strip() for f in self.fields)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.is_empty and not cleaned.get("name"):
            self.add_error("name", _("Give the contact's name, or leave all contact fields empty."))
        return cleaned

    def _post_clean(self) -> None:
        # The client does not exist yet; the service attaches it.
        forms.BaseForm._post_clean(self)


SORT_NAME = "name"
# key -> (label, owners only). Money sorts need figures staff may not see.
SORTS: dict[str, tuple[Any, bool]] = {
    "name": (_("Name, A to Z"), False),
    "-name": (_("Name, Z to A"), False),
    "status": (_("Status"), False),
    "-since": (_("Newest clients first"), False),
    "since": (_("Longest-standing first"), False),
    "-revenue": (_("Revenue (12 months), highest first"), True),
    "profit": (_("Profit (12 months), lowest first"), True),
    "-profit": (_("Profit (12 months), highest first"), True),
    "-days_late": (_("Average days late, most first"), True),
    "-open_balance": (_("Open balance, highest first"), True),
}


class ClientFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Client.Status.choices]
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args: Any, owner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select"
        self.fields["sort"].widget.attrs["class"] = "form-select"
        self.fields["sort"].choices = [
            (key, label) for key, (label, owners_only) in SORTS.items() if owner or not owners_only
        ]

    def values(self) -> tuple[str, str, str]:
        """(search, status, sort) with anything invalid ignored: a bad link still lists."""
        if not self.is_valid():
            data = (
                {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
                if hasattr(self, "cleaned_data")
                else {}
            )
        else:
            data = self.cleaned_data
        return (
            (data.get("q") or "").strip(),
            data.get("status") or "",
            data.get("sort") or SORT_NAME,
        )
