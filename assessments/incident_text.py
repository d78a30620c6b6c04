"""An incident version's stored content as a person reads it: the incident page's history
and the log export both show it this way (labels, not codes; dates in the active time zone
and language). Imports no views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.models import Incident

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
]
LONG_FIELDS = frozenset({"description", "witnesses"})
BOOLEAN_FIELDS = frozenset({"outside_hours", "billed_as_extra"})
CHOICE_LABELS = {
    "category": dict(Incident.Category.choices),
    "severity": dict(Incident.Severity.choices),
    "channel": dict(Incident.Channel.choices),
}


def display_value(name: str, value: Any, contacts: dict[int, str]) -> str:
    """A version's stored value as a person reads it (the stored JSON is never trusted)."""
    if value is None or value == "":
        return "—"
    if name == "contact":
        return contacts.get(value, _("contact no. %(id)s") % {"id": value})
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
