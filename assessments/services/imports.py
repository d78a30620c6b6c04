"""Importing checked CSV rows: every client, invoice and expense in one transaction, or
nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction

from accounts.models import Business
from assessments.forms.imports import Checked
from assessments.models import Client, Expense, Invoice

DISPUTED_NOTE = "Marked disputed in the imported file."


class ImportConflict(Exception):
    """Another write took an invoice number between the check and the import."""


@dataclass(frozen=True)
class ImportResult:
    invoices: int
    clients: int
    new_clients: int
    expenses: int = 0


def import_invoices(business: Business, checked: Checked) -> ImportResult:
    """Create the new clients (matched by exact name) and every invoice, atomically.

    `checked` must be free of errors; the caller re-checks it against the database
    just before, and the unique constraint on numbers catches what changed since.
    """
    if not checked.ok:
        raise ValueError("only a file without errors can be imported")
    try:
        with transaction.atomic():
            by_name = {
                client.name: client
                for client in Client.objects.filter(
                    business=business, name__in=checked.client_names
                )
            }
            # A new client has been one since its first invoice in the file.
            first_issued: dict[str, date] = {}
            for row in checked.rows:
                if row.issued and (
                    row.client not in first_issued or row.issued < first_issued[row.client]
                ):
                    first_issued[row.client] = row.issued
            new = [
                Client(
                    business=business,
                    name=name,
                    client_since=first_issued[name],
                    payment_terms_days=business.payment_terms_days,
                )
                for name in sorted(checked.client_names)
                if name not in by_name
            ]
            for client in Client.objects.bulk_create(new):
                by_name[client.name] = client
            if any(client.pk is None for client in by_name.values()):
                # Backends that do not return ids from bulk inserts: read them back.
                by_name = {
                    c.name: c
                    for c in Client.objects.filter(business=business, name__in=checked.client_names)
                }
            Invoice.objects.bulk_create(
                [
                    Invoice(
                        business=business,
                        client=by_name[row.client],
                        number=row.number,
                        issued_on=row.issued,
                        due_on=row.due,
                        amount=row.amount,
                        paid_on=row.paid,
                        disputed=row.disputed,
                        dispute_note=DISPUTED_NOTE if row.disputed else "",
                    )
                    for row in checked.invoices
                ],
                batch_size=500,
            )
            Expense.objects.bulk_create(
                [
                    Expense(
                        business=business,
                        client=by_name[row.client],
                        date=row.issued,
                        amount=row.amount,
                        note=row.note,
                    )
                    for row in checked.expenses
                ],
                batch_size=500,
            )
    except IntegrityError as exc:
        raise ImportConflict(str(exc)) from exc
    return ImportResult(
        invoices=len(checked.invoices),
        clients=len(checked.client_names),
        new_clients=len(new),
        expenses=len(checked.expenses),
    )
