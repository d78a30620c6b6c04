"""Plain factory functions with keyword overrides (no magic, easy to read in a test)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Business, Membership, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test-only


def business(**overrides) -> Business:
    fields = {"name": f"Business {next(_seq)}", "time_zone": "Europe/London", "currency": "EUR"}
    fields.update(overrides)
    return Business.objects.create(**fields)


def user(**overrides) -> User:
    email = overrides.pop("email", None) or f"user{next(_seq)}@example.test"
    password = overrides.pop("password", PASSWORD)
    return User.objects.create_user(email=email, password=password, **overrides)


def member(business: Business, *, role: str = "staff", **user_fields) -> User:
    person = user(**user_fields)
    Membership.objects.create(user=person, business=business, role=role)
    return person


def client(business: Business, **overrides):
    from assessments.models import Client

    fields = {
        "name": f"Client {next(_seq)}",
        "client_since": timezone.localdate() - timedelta(days=800),
    }
    fields.update(overrides)
    return Client.objects.create(business=business, **fields)


def contact(client_obj, **overrides):
    from assessments.models import Contact

    fields = {"name": f"Contact {next(_seq)}", "role": "Manager", "email": "contact@example.test"}
    fields.update(overrides)
    return Contact.objects.create(business=client_obj.business, client=client_obj, **fields)


def incident(client_obj, *, by=None, **overrides):
    """Record an incident through the service, so its version chain is real."""
    from assessments.services.incidents import record_incident

    fields = {
        "category": "complaint",
        "severity": "medium",
        "occurred_at": timezone.now() - timedelta(days=1),
        "channel": "email",
        "description": "Complained about the last delivery.",
    }
    fields.update(overrides)
    return record_incident(business=client_obj.business, client=client_obj, author=by, **fields)


def invoice(client_obj, **overrides):
    from assessments.models import Invoice

    issued = overrides.pop("issued_on", timezone.localdate() - timedelta(days=60))
    fields = {
        "number": f"INV-{next(_seq):05d}",
        "issued_on": issued,
        "due_on": issued + timedelta(days=client_obj.payment_terms_days),
        "amount": Decimal("1000.00"),
    }
    fields.update(overrides)
    return Invoice.objects.create(business=client_obj.business, client=client_obj, **fields)


def time_entry(client_obj, **overrides):
    from assessments.models import TimeEntry

    fields = {
        "date": timezone.localdate() - timedelta(days=10),
        "minutes": 60,
        "kind": "billable",
        "cost_rate": client_obj.business.staff_cost_rate,
    }
    fields.update(overrides)
    return TimeEntry.objects.create(business=client_obj.business, client=client_obj, **fields)


def delivery(client_obj, **overrides):
    from assessments.models import Delivery

    fields = {
        "delivered_on": timezone.localdate() - timedelta(days=14),
        "title": f"Batch {next(_seq)} of the artwork",
    }
    fields.update(overrides)
    return Delivery.objects.create(business=client_obj.business, client=client_obj, **fields)
