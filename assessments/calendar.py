"""Reminders as iCalendar (RFC 5545): an all-day event per date, written with `icalendar`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from assessments.models import Reminder


def _event(reminder: Reminder) -> Event:
    event = Event()
    # Stable per reminder, so a calendar that re-reads the feed updates instead of duplicating.
    event.add("uid", f"reminder-{reminder.pk}-{reminder.key}@clientreview")
    event.add("dtstamp", reminder.created or timezone.now())
    event.add("dtstart", reminder.due_on)
    event.add("dtend", reminder.due_on + timedelta(days=1))
    event.add("summary", f"{reminder.client.name}: {reminder.get_kind_display()}")
    event.add("url", settings.SITE_URL + reminder.path)
    event.add("description", settings.SITE_URL + reminder.path)
    return event


def calendar_bytes(reminders: Iterable[Reminder], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//ClientReview//Reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for reminder in reminders:
        calendar.add_component(_event(reminder))
    return calendar.to_ical()
