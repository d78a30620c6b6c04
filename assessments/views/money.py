"""Invoices and expenses (owners only: staff see no money) and time entries (every member
logs time).

Staff may edit only the time they logged for themselves, and never see a cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import AuditEvent
from accounts.services import record_event
from accounts.tenancy import get_for_business_or_404, member_required, owner_required
from assessments.forms.money import (
    DeliveryForm,
    ExpenseForm,
    InvoiceForm,
    MarkPaidForm,
    TimeEntryForm,
)
from assessments.models import Client, Delivery, Expense, Invoice, TimeEntry
from assessments.queries.clients import deliveries_of, format_minutes
from assessments.services import clients as services
from assessments.services import submissions as once


def _refuse_offboarded(request: HttpRequest, client: Client) -> HttpResponse:
    messages.error(request, str(services.OFFBOARDED_MESSAGE))
    return redirect(client)


def _already_saved(request: HttpRequest, path: str, client: Client) -> HttpResponse:
    """A second submission of one form: show what the first one saved, save nothing."""
    messages.info(request, _("This form was already saved; here is what it saved."))
    return redirect(path or client.get_absolute_url())


def _save_invoice_form(request: HttpRequest, form: InvoiceForm) -> Invoice | None:
    """Save through the service; a lost race on the number becomes a form error."""
    try:
        return services.save_invoice(form.instance)
    except services.DuplicateInvoiceNumber:
        form.add_error(
            "number",
            _("Invoice number %(number)s is already used in this business.")
            % {"number": form.instance.number},
        )
        return None


def _create_once(
    request: HttpRequest,
    client: Client,
    form: Any,
    save: Callable[[], Any],
    path_of: Callable[[Any], str],
) -> tuple[Any, HttpResponse | None]:
    """The one-time-token create flow of a client's forms (invoice, time, delivery): the
    new record, or the answer to give instead (what a second submission of the same form
    saved, or the refusal for an offboarded client); (None, None) to show the form again."""
    token = once.token_from(request.POST)
    if request.method != "POST":
        return None, None
    if earlier := once.earlier_path(request.business, token):
        return None, _already_saved(request, earlier, client)
    if not form.is_valid():
        return None, None
    try:
        record, path = once.submit_once(request.business, token, save, path_of)
    except services.ClientOffboarded:
        return None, _refuse_offboarded(request, client)
    if record is None and path:
        return None, _already_saved(request, path, client)
    return record, None


@owner_required
def invoice_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client, request, pk=pk)
    if not client.accepts_new_work:
        return _refuse_offboarded(request, client)
    form = InvoiceForm(request.POST or None, client=client, business=request.business)
    invoice, answer = _create_once(
        request,
        client,
        form,
        lambda: _save_invoice_form(request, form),
        lambda invoice: client.get_absolute_url(),
    )
    if answer is not None:
        return answer
    if invoice is not None:
        messages.success(request, _("Invoice %(number)s added.") % {"number": invoice.number})
        return redirect(client)
    return render(
        request,
        "assessments/money/invoice_form.html",
        {"form": form, "client": client, "form_token": once.token_for_page(request.POST)},
        status=400 if form.is_bound else 200,
    )


@owner_required
def invoice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_for_business_or_404(Invoice.objects.select_related("client"), request, pk=pk)
    form = InvoiceForm(
        request.POST or None, instance=invoice, client=invoice.client, business=request.business
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_invoice_form(request, form) is not None
    ):
        record_event(
            request.business,
            AuditEvent.Kind.INVOICE_EDITED,
            request=request,
            detail=f"{invoice.number} ({invoice.client.name}): {', '.join(form.changed_data)}",
        )
        messages.success(request, _("Invoice %(number)s saved.") % {"number": invoice.number})
        return redirect(invoice.client)
    return render(
        request,
        "assessments/money/invoice_form.html",
        {"form": form, "client": invoice.client, "invoice": invoice},
        status=400 if form.is_bound else 200,
    )


@owner_required
@require_POST
def invoice_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_for_business_or_404(Invoice.objects.select_related("client"), request, pk=pk)
    form = MarkPaidForm(request.POST, invoice=invoice)
    if form.is_valid():
        invoice.paid_on = form.cleaned_data["paid_on"]
        invoice.save(update_fields=["paid_on"])
        record_event(
            request.business,
            AuditEvent.Kind.INVOICE_EDITED,
            request=request,
            detail=f"{invoice.number} ({invoice.client.name}): paid on {invoice.paid_on}",
        )
        messages.success(request, _("Invoice %(number)s marked paid.") % {"number": invoice.number})
    else:
        messages.error(
            request,
            _("Invoice %(number)s was not changed: %(problem)s")
            % {"number": invoice.number, "problem": " ".join(form.errors["paid_on"])},
        )
    return redirect(invoice.client)


@member_required
def time_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client.objects.select_related("business"), request, pk=pk)
    if not client.accepts_new_work:
        return _refuse_offboarded(request, client)
    form = TimeEntryForm(
        request.POST or None,
        client=client,
        business=request.business,
        user=request.user,
        show_cost=request.membership.is_owner,
    )
    entry, answer = _create_once(
        request,
        client,
        form,
        lambda: services.log_time(form.instance),
        lambda entry: client.get_absolute_url(),
    )
    if answer is not None:
        return answer
    if entry is not None:
        messages.success(
            request,
            _("%(duration)s logged for %(client)s.")
            % {"duration": format_minutes(entry.minutes), "client": client.name},
        )
        return redirect(client)
    return render(
        request,
        "assessments/money/time_form.html",
        {"form": form, "client": client, "form_token": once.token_for_page(request.POST)},
        status=400 if form.is_bound else 200,
    )


@member_required
def time_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_for_business_or_404(TimeEntry.objects.select_related("client"), request, pk=pk)
    if not request.membership.is_owner and entry.user_id != request.user.pk:
        raise PermissionDenied
    form = TimeEntryForm(
        request.POST or None,
        instance=entry,
        client=entry.client,
        business=request.business,
        user=request.user,
        show_cost=request.membership.is_owner,
    )
    if request.method == "POST" and form.is_valid():
        services.log_time(form.instance)
        record_event(
            request.business,
            AuditEvent.Kind.TIME_EDITED,
            request=request,
            detail=f"{entry.client.name}, {entry.date}: {', '.join(form.changed_data)}",
        )
        messages.success(request, _("Time entry saved."))
        return redirect(entry.client)
    return render(
        request,
        "assessments/money/time_form.html",
        {"form": form, "client": entry.client, "entry": entry},
        status=400 if form.is_bound else 200,
    )


EXPENSES_SHOWN = 200


@owner_required
def expense_list(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client, request, pk=pk)
    expenses = Expense.objects.for_business(request.business).filter(client=client)
    return render(
        request,
        "assessments/money/expense_list.html",
        {"client": client, "expenses": list(expenses[:EXPENSES_SHOWN]), "shown": EXPENSES_SHOWN},
    )


@owner_required
def expense_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client, request, pk=pk)
    if not client.accepts_new_work:
        return _refuse_offboarded(request, client)
    form = ExpenseForm(request.POST or None, client=client, business=request.business)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_expense(form.instance)
        except services.ClientOffboarded:
            return _refuse_offboarded(request, client)
        messages.success(request, _("Expense added for %(client)s.") % {"client": client.name})
        return redirect(client)
    return render(
        request,
        "assessments/money/expense_form.html",
        {"form": form, "client": client},
        status=400 if form.is_bound else 200,
    )


@owner_required
def expense_edit(request: HttpRequest, pk: int) -> HttpResponse:
    expense = get_for_business_or_404(Expense.objects.select_related("client"), request, pk=pk)
    form = ExpenseForm(
        request.POST or None, instance=expense, client=expense.client, business=request.business
    )
    if request.method == "POST" and form.is_valid():
        services.record_expense(form.instance)
        messages.success(request, _("Expense saved."))
        return redirect(expense.client)
    return render(
        request,
        "assessments/money/expense_form.html",
        {"form": form, "client": expense.client, "expense": expense},
        status=400 if form.is_bound else 200,
    )


DELIVERIES_SHOWN = 200


@member_required
def delivery_list(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client, request, pk=pk)
    deliveries = list(deliveries_of(client)[:DELIVERIES_SHOWN])
    return render(
        request,
        "assessments/money/delivery_list.html",
        {"client": client, "deliveries": deliveries, "shown": DELIVERIES_SHOWN},
    )


@member_required
def delivery_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client, request, pk=pk)
    if not client.accepts_new_work:
        return _refuse_offboarded(request, client)
    form = DeliveryForm(
        request.POST or None,
        client=client,
        business=request.business,
        show_invoices=request.membership.is_owner,
    )
    form.instance.recorded_by = request.user
    delivery, answer = _create_once(
        request,
        client,
        form,
        lambda: services.record_delivery(form.instance),
        lambda delivery: reverse("assessments:delivery_list", args=[client.pk]),
    )
    if answer is not None:
        return answer
    if delivery is not None:
        messages.success(
            request,
            _("Delivery recorded for %(client)s: %(title)s.")
            % {"client": client.name, "title": delivery.title},
        )
        return redirect("assessments:delivery_list", pk=client.pk)
    return render(
        request,
        "assessments/money/delivery_form.html",
        {"form": form, "client": client, "form_token": once.token_for_page(request.POST)},
        status=400 if form.is_bound else 200,
    )


@member_required
def delivery_edit(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_for_business_or_404(
        Delivery.objects.select_related("client", "invoice"), request, pk=pk
    )
    if not request.membership.is_owner and delivery.recorded_by_id != request.user.pk:
        raise PermissionDenied
    form = DeliveryForm(
        request.POST or None,
        instance=delivery,
        client=delivery.client,
        business=request.business,
        show_invoices=request.membership.is_owner,
    )
    if request.method == "POST" and form.is_valid():
        services.record_delivery(form.instance)
        messages.success(request, _("Delivery saved."))
        return redirect("assessments:delivery_list", pk=delivery.client_id)
    return render(
        request,
        "assessments/money/delivery_form.html",
        {"form": form, "client": delivery.client, "delivery": delivery},
        status=400 if form.is_bound else 200,
    )
