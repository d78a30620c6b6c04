"""An incident version's stored content as a person reads it: the incident page's history
and the log export both show it this way (labels, not codes; dates in the active time zone
and language). Imports no views."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Business
from assessments.models import Contact, Delivery, Incident, Invoice


def _label_of(field: str) -> str:
    return str(capfirst(Incident._meta.get_field(field).verbose_name))


label_of = lazy(_label_of, str)

# The fields of a version, in the order the history shows them.
VERSION_FIELDS: list[tuple[str, Any]] = [
    ("category", gettext_lazy("What kind of incident")),
    ("severity", gettext_lazy("How serious")),
    ("occurred_at", gettext_lazy("When it happened")),
    ("contact", gettext_lazy("Contact person")),
    ("channel", gettext_lazy("How it happened")),
    ("outside_hours", gettext_lazy("Outside agreed contact hours")),
    ("description", gettext_lazy("What happened")),
    ("witnesses", gettext_lazy("Witnesses")),
    ("delivery", label_of("delivery")),
    ("invoice", label_of("invoice")),
]
# Fields that store a row id, shown by the record's name (see `record_names`).
RECORD_FIELDS = ("contact", "delivery", "invoice")
LONG_FIELDS = frozenset({"description", "witnesses"})
BOOLEAN_FIELDS = frozenset({"outside_hours", "billed_as_extra"})
CHOICE_LABELS = {
    "category": dict(Incident.Category.choices),
    "severity": dict(Incident.Severity.choices),
    "channel": dict(Incident.Channel.choices),
}


Names = Mapping[str, Mapping[int, str]]


def record_names(business: Business, contents: Iterable[Any]) -> dict[str, dict[int, str]]:
    """The names of the contacts, deliveries and invoices the versions' `contents` refer to,
    by field: a query for each kind that is referred to, whatever the number of versions."""
    wanted: dict[str, set[int]] = {name: set() for name in RECORD_FIELDS}
    for content in contents:
        if isinstance(content, dict):
            for name in RECORD_FIELDS:
                if isinstance(content.get(name), int):
                    wanted[name].add(content[name])
    names: dict[str, dict[int, str]] = {name: {} for name in RECORD_FIELDS}
    if wanted["contact"]:
        names["contact"] = dict(
            Contact.objects.filter(business=business, pk__in=wanted["contact"]).values_list(
                "pk", "name"
            )
        )
    if wanted["delivery"]:
        names["delivery"] = {
            pk: f"{title} · {date_format(on, 'SHORT_DATE_FORMAT')}"
            for pk, title, on in Delivery.objects.filter(
                business=business, pk__in=wanted["delivery"]
            ).values_list("pk", "title", "delivered_on")
        }
    if wanted["invoice"]:
        names["invoice"] = dict(
            Invoice.objects.filter(business=business, pk__in=wanted["invoice"]).values_list(
                "pk", "number"
            )
        )
    return names


def display_value(name: str, value: Any, names: Names) -> str:
    """A version's stored value as a person reads it (the stored JSON is never trusted)."""
    if value is None or value == "":
        return "—"
    if name == "contact":
        return names.get("contact", {}).get(value, _("contact no. %(id)s") % {"id": value})
    if name in RECORD_FIELDS:
        return names.get(name, {}).get(value) or str(value)
    if name in CHOICE_LABELS:
        return str(CHOICE_LABELS[name].get(value, value))
    if name in BOOLEAN_FIELDS:
        return _("Yes") if value else _("No")
    if name == "occurred_at":
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    return str(value)
