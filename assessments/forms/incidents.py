"""Forms of the incident log: log an incident (with files), amend it, add evidence.

Writes go through `assessments.services`; these forms only check input. Every
id a form takes (client, contact) is looked up within the current business, so
another business's id is "not one of the available choices".

Out of hours: the form renders the checkbox ticked or not from the business's
contact hours for the time shown, and remembers what it showed in a hidden
field. If the person leaves the box as suggested, the server recomputes it from
the time they finally entered (so changing the time alone is enough); if they
change the box, their choice wins. static/js/app.js updates the box as they type.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from assessments.models import Client, Contact, Delivery, Incident, Invoice
from assessments.services.evidence import (
    ACCEPT_ATTRIBUTE,
    MAX_FILES_PER_UPLOAD,
    SniffedFile,
    accepted_help,
    inspect_upload,
)
from assessments.services.incidents import CONTENT_FIELDS
from clientreview.lib.forms import parse_id

EARLIEST_YEAR = 1990
# Clocks on phones drift: "now" may be a little ahead of the server.
FUTURE_GRACE = timedelta(minutes=5)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked for content, size and name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[tuple[Any, SniffedFile]]:
        uploads = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                _("Upload at most %(max)d files at once."),
                code="too_many",
                params={"max": MAX_FILES_PER_UPLOAD},
            )
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append((upload, inspect_upload(super().clean(upload, initial))))
            except forms.ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return checked


class ContactSelect(forms.Select):
    """Each option says which client the contact works for (`data-client`), so app.js can
    offer only the chosen client's contacts."""

    client_of: dict[int, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_of = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        client_id = self.client_of.get(getattr(value, "value", value))
        if client_id is not None:
            option["attrs"]["data-client"] = client_id
        return option


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        return f"{obj.name} ({obj.client.name})"


class AboutRadios(forms.RadioSelect):
    """The deliveries and invoices an incident can be about, one tap each; each option says
    which client it belongs to (`data-client`), so app.js shows only the chosen client's."""

    client_of: dict[str, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_of = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        client_id = self.client_of.get(str(value))
        if client_id is not None:
            option["attrs"]["data-client"] = client_id
        return option


# The work an incident form offers to tie it to: each client's latest few deliveries and
# (for owners, who see invoices) invoices. A client named by the form offers its latest
# whatever their age; a list of every client offers only what is recent.
DELIVERIES_OFFERED = 3
INVOICES_OFFERED = 2
RECENT_WORK_DAYS = 120


def _latest_per_client(rows: QuerySet, date_field: str, limit: int) -> QuerySet:
    ranked = rows.alias(
        rank=Window(
            RowNumber(),
            partition_by=[F("client_id")],
            order_by=[F(date_field).desc(), F("id").desc()],
        )
    )
    return ranked.filter(rank__lte=limit).order_by("client_id", f"-{date_field}", "-id")


def _short(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def work_on_offer(
    business: Business, clients: Iterable[int] | None, *, invoices: bool, today: date
) -> list[tuple[str, str, int]]:
    """(choice value, label, client id) of the work `clients` (None: every client, of the
    last RECENT_WORK_DAYS only) could be complained about: two queries at most."""
    deliveries = Delivery.objects.filter(business=business)
    bills = Invoice.objects.filter(business=business)
    if clients is None:
        since = today - timedelta(days=RECENT_WORK_DAYS)
        deliveries = deliveries.filter(delivered_on__gte=since)
        bills = bills.filter(issued_on__gte=since)
    else:
        wanted = list(clients)
        deliveries = deliveries.filter(client__in=wanted)
        bills = bills.filter(client__in=wanted)
    offered = [
        (about_value(delivery=pk), f"{title} · {_short(on)}", client_id)
        for pk, title, on, client_id in _latest_per_client(
            deliveries, "delivered_on", DELIVERIES_OFFERED
        ).values_list("pk", "title", "delivered_on", "client_id")
    ]
    if invoices:
        offered += [
            (
                about_value(invoice=pk),
                str(_("Invoice %(number)s · %(date)s") % {"number": number, "date": _short(on)}),
                client_id,
            )
            for pk, number, on, client_id in _latest_per_client(
                bills, "issued_on", INVOICES_OFFERED
            ).values_list("pk", "number", "issued_on", "client_id")
        ]
    return offered


def about_value(*, delivery: int | None = None, invoice: int | None = None) -> str:
    """The choice value for a delivery ("d12") or an invoice ("i7"); "" for neither."""
    if delivery:
        return f"d{delivery}"
    return f"i{invoice}" if invoice else ""


class AboutField(forms.CharField):
    """Which delivery or invoice the incident was about ("d12", "i7" or ""); the form looks
    the record up within the business and checks it is the chosen client's."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", AboutRadios(attrs={"class": "btn-check"}))
        super().__init__(required=False, max_length=24, strip=True, **kwargs)

    def to_python(self, value: Any) -> tuple[str, int] | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        kind, pk = text[:1], parse_id(text[1:])
        if kind not in ("d", "i") or pk is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid")
        return kind, pk

    default_error_messages = {
        "invalid_choice": _("Choose one of the deliveries or invoices shown."),
    }


def local_now_minutes() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class _IncidentContentForm(forms.Form):
    """The fields an incident version records (all but the client)."""

    # No kind is pre-chosen: a hurried person must not log "physical abuse" by default.
    category = forms.ChoiceField(
        label=_("What kind of incident"),
        choices=[("", _("— choose what happened —")), *Incident.Category.choices],
    )
    severity = forms.ChoiceField(
        label=_("How serious"),
        choices=Incident.Severity.choices,
        initial=Incident.Severity.MEDIUM,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=Incident._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Facts, in their words where you can: what was said or done, and by whom."),
    )
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    outside_hours = forms.BooleanField(
        label=_("Outside agreed contact hours"),
        required=False,
        help_text=_("Suggested from your contact hours for the time above; change it if wrong."),
    )
    outside_hours_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)
    billed_as_extra = forms.BooleanField(
        label=_("Billed as extra work"),
        required=False,
        help_text=_(
            "The client was billed (or will be) for this as extra work: it never counts "
            "against them."
        ),
    )
    contact = ContactChoiceField(
        label=_("Contact person"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("— nobody in particular —"),
        widget=ContactSelect,
    )
    channel = forms.ChoiceField(
        label=_("How it happened"),
        choices=Incident.Channel.choices,
        initial=Incident.Channel.PHONE,
    )
    witnesses = forms.CharField(
        label=_("Witnesses"),
        max_length=Incident._meta.get_field("witnesses").max_length,
        required=False,
        help_text=_("Who else saw or heard it (optional)."),
    )
    about = AboutField(label=_("About a delivery or invoice"))

    # Invoices are offered to owners only: staff see no money.
    offers_invoices = False

    def __init__(self, *args: Any, business: Business, **kwargs: Any) -> None:
        self.business = business
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].widget.attrs["max"] = (
            local_now_minutes() + FUTURE_GRACE
        ).strftime(DATETIME_LOCAL)
        # app.js suggests "outside hours" from these as the time changes.
        self.fields["outside_hours"].widget.attrs.update(
            {
                "data-contact-start": business.contact_hours_start.strftime("%H:%M"),
                "data-contact-end": business.contact_hours_end.strftime("%H:%M"),
                "data-contact-days": business.contact_days,
            }
        )

    def _offer_work(self, work: list[tuple[str, str, int]]) -> None:
        field = self.fields["about"]
        field.widget.client_of = {value: client_id for value, _label, client_id in work}
        nothing = ("", _("Nothing in particular"))
        field.widget.choices = [nothing, *((value, label) for value, label, _c in work)]
        self.offers_work = bool(work)

    def _clean_about(self, cleaned: dict, client_id: int | None) -> None:
        """`about` becomes `delivery` and `invoice` (at most one set), each the chosen client's."""
        cleaned["delivery"] = cleaned["invoice"] = None
        about = cleaned.get("about")
        if about is None or client_id is None:
            return
        kind, pk = about
        if kind == "d":
            record = Delivery.objects.filter(business=self.business, pk=pk).first()
        elif self.offers_invoices:
            record = Invoice.objects.filter(business=self.business, pk=pk).first()
        else:
            record = None
        if record is None or record.client_id != client_id:
            self.add_error(
                "about",
                forms.ValidationError(
                    _("Choose one of this client's deliveries or invoices."), code="other_client"
                ),
            )
            return
        cleaned["delivery" if kind == "d" else "invoice"] = record

    def suggested_outside_hours(self, moment: datetime) -> bool:
        return not self.business.is_within_contact_hours(moment)

    def clean_occurred_at(self) -> datetime:
        value = self.cleaned_data["occurred_at"]
        now = timezone.now()
        if value.year < EARLIEST_YEAR:
            raise forms.ValidationError(
                _("Check the year: incidents before %(year)d cannot be logged."),
                code="too_old",
                params={"year": EARLIEST_YEAR},
            )
        if value.year > now.year + 1 or value > now + FUTURE_GRACE:
            raise forms.ValidationError(
                _("That time is in the future: log an incident once it has happened."),
                code="future",
            )
        return value

    def _follow_contact_hours(self, cleaned: dict, *, time_changed: bool = True) -> None:
        """Left as suggested, "outside hours" follows the hours for the time entered."""
        if "occurred_at" not in cleaned or not time_changed:
            return
        if cleaned.get("outside_hours") == cleaned.get("outside_hours_shown"):
            cleaned["outside_hours"] = self.suggested_outside_hours(cleaned["occurred_at"])


# Up to this many clients the form offers every client in one list (and every contact,
# filtered by app.js). Beyond it the person finds the client first (a search, or the
# clients most recently in the log), and the form offers only the clients it names: a
# list of 10,000 clients is slow to send, to render and to scroll on a phone (issue 6).
CLIENT_LIST_MAX = 200
RECENT_CLIENTS = 12
RECENT_INCIDENTS_SCANNED = 100


def recent_clients(business: Business, limit: int = RECENT_CLIENTS) -> list[tuple[int, str]]:
    """(id, name) of the clients most recently in the incident log, newest first.

    Reads the latest incidents through the (business, -occurred_at) index, not every
    client's latest incident, so it costs the same at 10 or 10,000 clients.
    """
    seen: dict[int, str] = {}
    rows = (
        Incident.objects.filter(business=business)
        .order_by("-occurred_at", "-id")
        .values_list("client_id", "client__name")[:RECENT_INCIDENTS_SCANNED]
    )
    for client_id, name in rows:
        seen.setdefault(client_id, name)
        if len(seen) == limit:
            break
    return list(seen.items())


def clients_on_offer(business: Business) -> tuple[bool, list[tuple[int, str]]]:
    """(True, every client's (id, name) by name) up to CLIENT_LIST_MAX clients, else
    (False, the recent clients)."""
    clients = Client.objects.filter(business=business).order_by("name", "id")
    names = list(clients.values_list("pk", "name")[: CLIENT_LIST_MAX + 1])
    if len(names) <= CLIENT_LIST_MAX:
        return True, names
    return False, recent_clients(business)


def contacts_of(business: Business, clients: Iterable[int] | None) -> list[tuple[int, str, int]]:
    """(id, name, client id) of the contacts of `clients` (None: of every client)."""
    contacts = Contact.objects.filter(business=business)
    if clients is not None:
        contacts = contacts.filter(client__in=list(clients))
    return list(contacts.values_list("pk", "name", "client_id"))


class FindClientForm(forms.Form):
    q = forms.CharField(
        label=_("Client or contact name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control",
                "autocomplete": "off",
                "autofocus": True,
                "enterkeyhint": "search",
            }
        ),
    )

    def search(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class IncidentForm(_IncidentContentForm):
    client = forms.ModelChoiceField(
        label=_("Client"),
        queryset=Client.objects.none(),
        empty_label=_("— choose a client —"),
    )
    files = MultipleFileField(label=_("Photos or files (optional)"), required=False)

    def __init__(
        self,
        *args: Any,
        business: Business,
        client: Client | None = None,
        offers_invoices: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, business=business, **kwargs)
        self.offers_invoices = offers_invoices
        self._offer_clients(business, client)
        self.fields["files"].help_text = accepted_help()
        if not self.is_bound:
            now = local_now_minutes()
            suggested = self.suggested_outside_hours(now)
            self.initial.setdefault("occurred_at", now)
            self.initial["outside_hours"] = suggested
            self.initial["outside_hours_shown"] = suggested

    def _offer_clients(self, business: Business, client: Client | None) -> None:
        """The client and contact options: every client up to CLIENT_LIST_MAX, else the
        chosen and the recent clients. Any client or contact of the business is accepted
        (the querysets); only the options drawn vary (the widgets' choices)."""
        self.fields["client"].queryset = Client.objects.filter(business=business)
        self.fields["contact"].queryset = Contact.objects.filter(business=business)
        self.lists_all_clients, clients = clients_on_offer(business)
        self.has_clients = not self.lists_all_clients or bool(clients)
        # A submitted client stays on offer when the form comes back with errors.
        chosen = client
        if self.is_bound and chosen is None:
            chosen = Client.objects.filter(
                business=business, pk=parse_id(self.data.get(self.add_prefix("client")))
            ).first()
        if not self.lists_all_clients and chosen is not None:
            clients = [(chosen.pk, chosen.name)] + [row for row in clients if row[0] != chosen.pk]
        names = dict(clients)
        contacts = sorted(
            contacts_of(business, None if self.lists_all_clients else names),
            key=lambda row: (names.get(row[2], ""), row[1], row[0]),
        )
        client_field, contact_field = self.fields["client"], self.fields["contact"]
        client_field.widget.choices = [("", client_field.empty_label), *clients]
        contact_field.widget.client_of = {pk: client_id for pk, _name, client_id in contacts}
        contact_field.widget.choices = [
            ("", contact_field.empty_label),
            *((pk, f"{name} ({names.get(client_id, '')})") for pk, name, client_id in contacts),
        ]
        if chosen is not None:
            work_of: list[int] | None = [chosen.pk]
        else:
            work_of = None if self.lists_all_clients else list(names)
        self._offer_work(
            work_on_offer(
                business,
                work_of,
                invoices=self.offers_invoices,
                today=timezone.localdate(timezone=business.tzinfo),
            )
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        client, contact = cleaned.get("client"), cleaned.get("contact")
        if client is not None and contact is not None and contact.client_id != client.pk:
            self.add_error(
                "contact",
                forms.ValidationError(
                    _("%(contact)s is not a contact of %(client)s."),
                    code="other_client",
                    params={"contact": contact.name, "client": client.name},
                ),
            )
        self._clean_about(cleaned, client.pk if client is not None else None)
        self._follow_contact_hours(cleaned)
        return cleaned

    def incident_fields(self) -> dict[str, Any]:
        """What `record_incident` takes, from the cleaned data."""
        data = self.cleaned_data
        # The same fields a version records: one list, in the service.
        return {name: data[name] for name in CONTENT_FIELDS}


AMENDABLE = (
    "contact",
    "category",
    "severity",
    "occurred_at",
    "channel",
    "outside_hours",
    "billed_as_extra",
    "description",
    "witnesses",
    "delivery",
    "invoice",
)


class AmendIncidentForm(_IncidentContentForm):
    reason = forms.CharField(
        label=_("Why are you amending it?"),
        max_length=1000,
        help_text=_("Kept with the new version, e.g. “wrong date: it was the day before”."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["reason", *AMENDABLE, "about"]

    def __init__(
        self, *args: Any, incident: Incident, offers_invoices: bool = False, **kwargs: Any
    ) -> None:
        self.incident = incident
        super().__init__(*args, business=incident.business, **kwargs)
        # The invoice it is already about stays on offer (and keepable) for anyone.
        self.offers_invoices = offers_invoices or incident.invoice_id is not None
        work = work_on_offer(
            incident.business,
            [incident.client_id],
            invoices=self.offers_invoices,
            today=timezone.localdate(timezone=incident.business.tzinfo),
        )
        current = about_value(delivery=incident.delivery_id, invoice=incident.invoice_id)
        if current and current not in {value for value, _label, _c in work}:
            record = incident.delivery or incident.invoice
            work.append((current, str(record), incident.client_id))
        self._offer_work(work)
        self.fields["contact"].queryset = Contact.objects.filter(
            business=incident.business_id, client=incident.client_id
        ).select_related("client")
        self.fields["contact"].label_from_instance = lambda obj: obj.name
        if not self.is_bound:
            for name in AMENDABLE:
                self.initial[name] = getattr(incident, name)
            self.initial["about"] = about_value(
                delivery=incident.delivery_id, invoice=incident.invoice_id
            )
            self.initial["occurred_at"] = timezone.localtime(incident.occurred_at)
            self.initial["outside_hours_shown"] = incident.outside_hours

    def _same_minute(self, value: datetime) -> bool:
        def minute(moment: datetime) -> datetime:
            return moment.astimezone(timezone.get_current_timezone()).replace(
                second=0, microsecond=0
            )

        return minute(value) == minute(self.incident.occurred_at)

    def clean(self) -> dict:
        cleaned = super().clean()
        occurred = cleaned.get("occurred_at")
        time_changed = False
        if occurred is not None:
            if self._same_minute(occurred):
                # The input shows minutes only: an untouched time keeps its seconds.
                cleaned["occurred_at"] = self.incident.occurred_at
            else:
                time_changed = True
        self._clean_about(cleaned, self.incident.client_id)
        self._follow_contact_hours(cleaned, time_changed=time_changed)
        if not self.errors and not self.changes():
            raise forms.ValidationError(
                _("Nothing was changed: change what was wrong, or cancel."), code="unchanged"
            )
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The fields whose new value differs from the incident's current one."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in AMENDABLE
            if name in data and data[name] != getattr(self.incident, name)
        }


class EvidenceForm(forms.Form):
    files = MultipleFileField(label=_("Files"))
    description = forms.CharField(
        label=_("What the files show (optional)"),
        max_length=500,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = accepted_help()
