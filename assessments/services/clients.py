"""Writing clients, invoices and time: the rules that hold whichever page or command writes.

- An offboarded client gets no new invoice and no new time: "do not re-engage".
  Existing rows stay editable (the last invoice may still be paid after the end).
- Invoice numbers are unique per business. Forms check first, but two owners
  saving the same number at once meet the database constraint; that race comes
  back as `DuplicateInvoiceNumber`, which the view shows as a form error.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from assessments.models import Client, Contact, Delivery, Expense, Invoice, TimeEntry

OFFBOARDED_MESSAGE = _("This client is offboarded: do not re-engage.")


class ClientOffboarded(Exception):
    """Raised when new work (an invoice, time) is recorded for an offboarded client."""

    message = OFFBOARDED_MESSAGE


class DuplicateInvoiceNumber(Exception):
    """The invoice number was taken between the form's check and the save."""


def ensure_accepts_new_work(client: Client) -> None:
    if not client.accepts_new_work:
        raise ClientOffboarded(str(OFFBOARDED_MESSAGE))


@transaction.atomic
def create_client(
    *, business: Business, client: Client, first_contact: dict[str, Any] | None = None
) -> Client:
    """Save a new client and, if given, its first contact, together or not at all."""
    client.business = business
    client.save()
    if first_contact:
        Contact.objects.create(business=business, client=client, **first_contact)
    return client


def save_invoice(invoice: Invoice) -> Invoice:
    """Create or update an invoice; refuses new invoices for offboarded clients."""
    if invoice.pk is None:
        ensure_accepts_new_work(invoice.client)
    try:
        # A savepoint, so a lost race leaves the surrounding transaction usable.
        with transaction.atomic():
            invoice.save()
    except IntegrityError as exc:
        if _is_duplicate_number(exc):
            raise DuplicateInvoiceNumber(invoice.number) from exc
        raise
    return invoice


def _is_duplicate_number(exc: IntegrityError) -> bool:
    text = str(exc)
    # PostgreSQL names the constraint; SQLite names the columns.
    return "unique_invoice_number" in text or "assessments_invoice.number" in text


def log_time(entry: TimeEntry) -> TimeEntry:
    """Create or update a time entry; refuses new time for offboarded clients."""
    if entry.pk is None:
        ensure_accepts_new_work(entry.client)
    entry.save()
    return entry


def record_delivery(delivery: Delivery) -> Delivery:
    """Create or update a delivery; refuses new deliveries for offboarded clients."""
    if delivery.pk is None:
        ensure_accepts_new_work(delivery.client)
    delivery.save()
    return delivery


def record_expense(expense: Expense) -> Expense:
    """Create or update an expense; refuses new expenses for offboarded clients."""
    if expense.pk is None:
        ensure_accepts_new_work(expense.client)
    expense.save()
    return expense
