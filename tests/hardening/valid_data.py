"""Valid data for business A's forms: the starting point the bad-input corpus varies.

Each builder returns fresh values (a new invoice number, a new e-mail address) so
that a good submission always saves.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.forms import imports as import_forms
from assessments.redflags import CATALOGUE
from tests.hardening.walk import PARAMS
from tests.hardening.world import World

_seq = itertools.count(1)
GOOD_PASSWORD = "Sturdy-Quarry-Passphrase-2031"


def n() -> int:
    return next(_seq)


def day(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def moment(hours_ago: int = 2) -> str:
    when = timezone.localtime() - timedelta(hours=hours_ago)
    return when.strftime("%Y-%m-%dT%H:%M")


def reverse_for(name: str, world: World) -> str:
    kwargs = {param: fill(world) for (url, param), fill in PARAMS.items() if url == name}
    return reverse(name, kwargs=kwargs)


def text_file() -> SimpleUploadedFile:
    return SimpleUploadedFile(f"note-{n()}.txt", b"What the client wrote.\n", "text/plain")


def csv_file() -> SimpleUploadedFile:
    body = f"client,number,issued,amount\nImported Client,CSV-{n()},{day(-20)},120.50\n"
    return SimpleUploadedFile("invoices.csv", body.encode(), "text/csv")


def reset_link(world: World, client) -> str:
    # The link from the e-mail puts the token in the session and redirects to the form.
    response = client.get(reverse_for("accounts:password_reset_confirm", world))
    return response["Location"]


def client_fields(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "client_since": day(-400),
        "status": "active",
        "billing_model": "fixed",
        "payment_terms_days": "30",
        "has_written_contract": "true",
        "contract_terms": "Website, 12 pages, EUR 9,000.",
        "contract_notice_days": "30",
        "has_termination_clause": "on",
        "referrals_sent": "1",
        "long_standing": "false",
        "language": "hr",
        "notes": "Met at the trade fair.",
    }


def incident_fields(world: World) -> dict[str, Any]:
    return {
        "category": "verbal_abuse",
        "severity": "high",
        "description": "Shouted at Stan on the phone.",
        "occurred_at": moment(),
        "outside_hours": "",
        "outside_hours_shown": "",
        "billed_as_extra": "",
        "contact": str(world.contact.pk),
        "channel": "phone",
        "witnesses": "Stan",
    }


def invoice_fields() -> dict[str, Any]:
    return {
        "number": f"INV-HARD-{n()}",
        "issued_on": day(-30),
        "due_on": day(0),
        "amount": "1250.00",
        "paid_on": "",
        "disputed": "on",
        "dispute_note": "Said the logo was not what they asked for.",
        "discount_pushed": "100.00",
    }


def plan_fields(world: World, *, new: bool = False) -> dict[str, Any]:
    invoice = world.paid_invoice2 if new else world.paid_invoice
    return {
        "reason_flag": "slow_to_pay",
        "reason_fact": "Six of your last invoices were paid late.",
        "goodwill": "refund_last",
        "goodwill_invoice": str(invoice.pk),
        "goodwill_amount": "",
        "apology": "on",
        "partners": [str(world.partner.pk)],
        "provider_kind": "a larger agency with a finance team",
        "notice_kind": "days",
        "notice_days": "30",
        "work_ends_on": "",
        "method": "writing",
        "witness": "",
        "announce_on": day(3),
        "private_notes": "Bring the invoice list.",
    }


def checklist(world: World) -> dict[str, Any]:
    data: dict[str, Any] = {"go": "next"}
    for flag in CATALOGUE:
        data[f"answer_{flag.key}"] = "yes" if flag.key == "slow_to_pay" else "no"
        data[f"note_{flag.key}"] = ""
    return data


def thresholds(world: World) -> dict[str, Any]:
    return {
        "late_average_days": "30",
        "late_severe_days": "90",
        "disputed_share": "0.25",
        "discounts_count": "2",
        "cost_to_revenue_ratio": "1.00",
        "major_cost_ratio": "1.50",
        "major_overdue_share": "0.25",
        "complaints_90_days": "3",
        "demands_serious_90_days": "5",
        "out_of_hours_90_days": "3",
        "scope_changes_90_days": "3",
        "no_referrals_after_years": "2",
        "concentration_share": "0.30",
    }


def signup(world: World) -> dict[str, Any]:
    return {
        "name": "Nadia New",
        "email": f"new{n()}@signup.test",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "business_name": "New Business",
        "time_zone": "Europe/Athens",
        "currency": "EUR",
    }


def settings(world: World) -> dict[str, Any]:
    return {
        "name": "Renamed Studio",
        "time_zone": "Europe/London",
        "currency": "EUR",
        "language": "el",
        "contact_hours_start": "09:00",
        "contact_hours_end": "17:30",
        "contact_days": ["0", "1", "2", "3", "4"],
        "notice_period_days": "30",
        "cooling_off_days": "3",
        "payment_terms_days": "30",
        "staff_cost_rate": "50.00",
    }


def import_rows(world: World) -> dict[str, Any]:
    read = import_forms.read_upload(csv_file().read())
    return {"rows": import_forms.sign_rows(world.business, read.rows, read.detected)}
