"""Forms to flag a contact as abusive and to clear a flag (owners)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from assessments.models import AbuseFlag, Contact, Incident
from assessments.models.flags import default_review_on
from clientreview.lib.forms import IdMultipleChoiceField, parse_id

# Incidents of these kinds are ticked in advance when they name the flagged contact.
ABUSIVE_CATEGORIES = frozenset(
    {
        Incident.Category.PHYSICAL_ABUSE,
        Incident.Category.VERBAL_ABUSE,
        Incident.Category.HARASSMENT,
        Incident.Category.THREAT,
    }
)
LONGEST_REVIEW = timedelta(days=3 * 366)
# The flag form lists at most this many of the client's latest incidents (and as many of
# the contact's abusive ones); any incident of the client is accepted.
OFFERED = 25


class IncidentChoiceField(IdMultipleChoiceField):
    flagged_contact_id: int | None = None

    def label_from_instance(self, obj: Incident) -> str:
        when = date_format(timezone.localtime(obj.occurred_at), "SHORT_DATE_FORMAT")
        # Name the contact only when it is someone other than the person being flagged.
        other = obj.contact_id and obj.contact_id != self.flagged_contact_id
        who = f" · {obj.contact.name}" if other else ""
        return f"#{obj.number} · {when} · {obj.get_category_display()}{who}"


class FlagContactForm(forms.Form):
    reason = forms.CharField(
        label=_("What did they do?"),
        max_length=AbuseFlag._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Owners read this in their e-mail and on the client's page."),
    )
    incidents = IncidentChoiceField(
        label=_("Incidents that show it"),
        queryset=Incident.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    review_on = forms.DateField(
        label=_("Review the flag on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("An owner looks again at the flag on this date."),
    )

    def __init__(
        self, *args: Any, contact: Contact, preselect: Incident | None = None, **kwargs: Any
    ) -> None:
        self.contact = contact
        super().__init__(*args, **kwargs)
        field = self.fields["incidents"]
        # Any incident with this client is accepted; only the ones listed are limited.
        field.queryset = Incident.objects.filter(
            business=contact.business_id, client=contact.client_id
        ).select_related("contact")
        field.flagged_contact_id = contact.pk
        offered = self._offered(field.queryset, preselect)
        field.widget.choices = [(i.pk, field.label_from_instance(i)) for i in offered]
        total = field.queryset.count()
        if total > len(offered):
            field.help_text = _(
                "Listed: the latest of the %(total)s incidents with this client, and this "
                "person's abusive ones. To add an older one, flag from that incident's page."
            ) % {"total": number_format(total, force_grouping=True)}
        if not self.is_bound:
            self.initial["review_on"] = default_review_on()
            ticked = [i.pk for i in offered if self._shows_abuse(i)]
            if preselect is not None and preselect.pk not in ticked:
                ticked.append(preselect.pk)
            self.initial["incidents"] = ticked

    def _shows_abuse(self, incident: Incident) -> bool:
        return incident.contact_id == self.contact.pk and incident.category in ABUSIVE_CATEGORIES

    def _offered(self, incidents, preselect: Incident | None) -> list[Incident]:
        """The incidents listed to tick, newest first: this contact's abusive ones and the
        client's latest, up to `OFFERED` each; and the one the form was opened from, and
        any sent back with errors, wherever they are in the log. A busy client has
        thousands of incidents: a list of all of them would be unusable (issue 6)."""
        newest = incidents.order_by("-occurred_at", "-id")
        found = {
            i.pk: i
            for i in [
                *newest.filter(contact=self.contact, category__in=ABUSIVE_CATEGORIES)[:OFFERED],
                *newest[:OFFERED],
            ]
        }
        if preselect is not None:
            found.setdefault(preselect.pk, preselect)
        wanted = []
        if self.is_bound:
            sent = self.fields["incidents"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("incidents")
            )
            wanted = [pk for pk in map(parse_id, sent or []) if pk]
        missing = [pk for pk in wanted if pk not in found][:OFFERED]
        if missing:
            found.update((i.pk, i) for i in incidents.filter(pk__in=missing))
        return sorted(found.values(), key=lambda i: (i.occurred_at, i.pk), reverse=True)

    def clean_review_on(self) -> date:
        value = self.cleaned_data["review_on"]
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError(_("Choose a date after today."), code="past")
        if value > today + LONGEST_REVIEW:
            raise forms.ValidationError(
                _("Review a flag within three years; choose an earlier date."), code="too_far"
            )
        return value


class ClearFlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the flag cleared?"),
        max_length=AbuseFlag._meta.get_field("clear_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept with the flag's history, e.g. “apologised in writing; no incident since”."
        ),
    )
