"""The incident list's filters, read from the query string so a filtered view can be bookmarked."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business, User
from assessments.forms.money import MemberChoiceField
from assessments.models import Client, Contact, Delivery, Evidence
from assessments.models.incidents import Category, Severity
from clientreview.lib.forms import parse_id

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses an id no database key can hold before querying."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if parse_id(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class MemberIdChoiceField(IdChoiceField, MemberChoiceField):
    pass


EVIDENCE_CHOICES = [
    ("", _("With or without files")),
    ("yes", _("With files")),
    ("no", _("No files")),
]


class IncidentFilterForm(forms.Form):
    """Client and delivery (from the client page or a row's link), contact, kind, severity,
    dates, who, files."""

    client = IdChoiceField(queryset=Client.objects.none(), required=False, widget=forms.HiddenInput)
    # From a delivery's link on the client page: the incidents about that delivery.
    delivery = IdChoiceField(
        queryset=Delivery.objects.none(), required=False, widget=forms.HiddenInput
    )
    contact = IdChoiceField(
        label=_("Contact person"), queryset=Contact.objects.none(), required=False
    )
    category = forms.ChoiceField(
        label=_("What kind of incident"),
        required=False,
        choices=[("", _("Any kind")), *Category.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("Any severity")), *Severity.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    recorded_by = MemberIdChoiceField(
        label=_("Recorded by"), queryset=User.objects.none(), required=False
    )
    evidence = forms.ChoiceField(label=_("Files"), required=False, choices=EVIDENCE_CHOICES)

    def __init__(self, *args: Any, business: Business, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.business = business
        self.fields["client"].queryset = Client.objects.for_business(business)
        self.fields["delivery"].queryset = Delivery.objects.for_business(business)
        client_id = self.data.get("client") if self.is_bound else None
        contacts = Contact.objects.for_business(business)
        # Only the chosen client's contacts are offered; without a client, there is no list.
        if (client_pk := parse_id(client_id)) is not None:
            self.fields["contact"].queryset = contacts.filter(client_id=client_pk)
        else:
            self.fields["contact"].queryset = contacts
            self.fields["contact"].widget = forms.HiddenInput()
        self.fields["recorded_by"].queryset = User.objects.filter(
            memberships__business=business
        ).order_by("name", "email")
        for name in ("contact", "category", "severity", "recorded_by", "evidence"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        contact, client = data.get("contact"), data.get("client")
        if contact and client and contact.client_id != client.pk:
            self.add_error("contact", _("This contact is not one of the client's."))
        delivery = data.get("delivery")
        if delivery and client and delivery.client_id != client.pk:
            self.add_error("delivery", _("This delivery is not one of the client's."))
        return data

    def apply(self, incidents: QuerySet) -> QuerySet:
        """The incidents the valid filters keep (call after `is_valid()`)."""
        data = self.cleaned_data
        tz = self.business.tzinfo
        if data.get("client"):
            incidents = incidents.filter(client=data["client"])
        if data.get("delivery"):
            incidents = incidents.filter(delivery=data["delivery"])
        if data.get("contact"):
            incidents = incidents.filter(contact=data["contact"])
        if data.get("category"):
            incidents = incidents.filter(category=data["category"])
        if data.get("severity"):
            incidents = incidents.filter(severity=data["severity"])
        if data.get("date_from"):
            start = timezone.make_aware(datetime.combine(data["date_from"], time.min), tz)
            incidents = incidents.filter(occurred_at__gte=start)
        if data.get("date_to"):
            end = timezone.make_aware(
                datetime.combine(data["date_to"] + timedelta(days=1), time.min), tz
            )
            incidents = incidents.filter(occurred_at__lt=end)
        if data.get("recorded_by"):
            incidents = incidents.filter(recorded_by=data["recorded_by"])
        if data.get("evidence"):
            has = Exists(Evidence.objects.filter(incident=OuterRef("pk")))
            incidents = (
                incidents.filter(has) if data["evidence"] == "yes" else incidents.exclude(has)
            )
        return incidents
