"""Clients and their contacts: the list, the client page, the contact page and their forms.

Members (owners and staff) see clients and contacts and may add and edit contacts
(staff meet them); only owners create and edit clients. Staff never see money:
the views leave the figures out of the context, not just out of the markup.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.services import record_event
from accounts.tenancy import for_business, get_for_business_or_404, member_required, owner_required
from assessments import charts, figures
from assessments.forms.clients import ClientFilterForm, ClientForm, ContactForm, FirstContactForm
from assessments.models import AbuseFlag, Assessment, Client, Contact
from assessments.queries import clients as client_queries
from assessments.services import clients as services
from assessments.services import log_exports
from clientreview.lib import l10n

PER_PAGE = 50
CONTACT_INCIDENTS = 50


@member_required
def client_list(request: HttpRequest) -> HttpResponse:
    """Every client of the business, fifty to a page; owners also see the money columns."""
    return render(request, "assessments/clients/list.html", _client_list_context(request))


def _client_list_context(request: HttpRequest) -> dict:
    is_owner = request.membership.is_owner
    form = ClientFilterForm(request.GET or None, owner=is_owner)
    search, status, sort = form.values()
    clients = for_business(Client, request)
    if search:
        clients = client_queries.named(clients, search)
    if status:
        clients = clients.filter(status=status)
    clients = client_queries.sorted_clients(clients, sort, request.business)
    clients = client_queries.with_warnings(clients)
    page = Paginator(clients, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for client in rows:
        client.verdict_label = _verdict_label(client.latest_verdict)
    money = {}
    if is_owner and rows:
        # The list shows no shares: the business's own yearly total is not summed.
        money = figures.summaries(request.business, [c.pk for c in rows], with_share=False)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "rows": [(c, money.get(c.pk)) for c in rows],
        "query_string": query.urlencode(),
        "filtered": bool(search or status),
    }


def _verdict_label(verdict: str | None) -> str:
    return str(Assessment.Verdict(verdict).label) if verdict in Assessment.Verdict.values else ""


@member_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The client page: contacts, open flags, the timeline, reviews; owners also see the
    figures, fetched with the client in the same query."""
    clients = Client.objects.select_related("business")
    if request.membership.is_owner:
        clients = log_exports.with_latest_export(
            figures.with_figures(clients, only=(request.business.pk, pk))
        )
    client = get_for_business_or_404(clients, request, pk=pk)
    return render(request, "assessments/clients/detail.html", _client_context(request, client))


def _client_context(request: HttpRequest, client: Client) -> dict:
    is_owner = request.membership.is_owner
    open_flags = list(
        AbuseFlag.objects.open()
        .filter(business=request.business, contact__client=client)
        .select_related("contact", "raised_by")
    )
    page_number = client_queries.timeline_page(request.GET.get("timeline"))
    timeline, has_more = client_queries.timeline(client, page=page_number, with_invoices=is_owner)
    context = {
        "client": client,
        "contacts": list(client.contacts.all()),
        "flags": open_flags,
        "flagged_contact_ids": {flag.contact_id for flag in open_flags},
        "timeline": timeline,
        "timeline_more": page_number + 1 if has_more else None,
        "assessments": list(
            Assessment.objects.filter(business=request.business, client=client)[:10]
        ),
    }
    if is_owner:
        numbers = figures.client_figures(client, recent_invoices=0)
        context["figures"] = numbers
        context["chart"] = _revenue_cost_chart(numbers, request.business.currency)
        context["incident_rows"] = client_queries.incident_rows(numbers)
        context["aging_rows"] = client_queries.aging_rows(numbers)
        context["log_export"] = log_exports.latest_export(client)
    return context


def _revenue_cost_chart(numbers: figures.ClientFigures, currency: str):
    return charts.grouped_bar_chart(
        [l10n.month_label(month) for month in numbers.months],
        [
            (_("Revenue"), numbers.revenue_by_month),
            (_("Cost to serve"), numbers.cost_by_month),
        ],
        title=_("Revenue against cost to serve, last 12 months"),
        x_label=_("Month"),
        y_label=_("Amount (%(currency)s)") % {"currency": currency},
        currency=currency,
        chart_id=f"client-{numbers.client_id}-revenue-cost",
    )


@owner_required
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, business=request.business)
    contact_form = FirstContactForm(
        request.POST or None, client=Client(business=request.business), prefix="contact"
    )
    if request.method == "POST" and form.is_valid() and contact_form.is_valid():
        first_contact = None if contact_form.is_empty else contact_form.cleaned_data
        client = services.create_client(
            business=request.business, client=form.instance, first_contact=first_contact
        )
        messages.success(request, _("Client %(name)s added.") % {"name": client.name})
        return redirect(client)
    return render(
        request,
        "assessments/clients/form.html",
        {"form": form, "contact_form": contact_form},
        status=400 if form.is_bound else 200,
    )


def _edit_detail(what: str, changed: list[str]) -> str:
    return f"{what}: {', '.join(changed) or 'no change'}"


@owner_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client, request, pk=pk)
    form = ClientForm(request.POST or None, instance=client, business=request.business)
    if request.method == "POST" and form.is_valid():
        form.save()
        record_event(
            request.business,
            AuditEvent.Kind.CLIENT_EDITED,
            request=request,
            detail=_edit_detail(client.name, form.changed_data),
        )
        messages.success(request, _("Client %(name)s saved.") % {"name": client.name})
        return redirect(client)
    return render(
        request,
        "assessments/clients/form.html",
        {"form": form, "client": client},
        status=400 if form.is_bound else 200,
    )


@member_required
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client, request, pk=pk)
    form = ContactForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        contact = form.save()
        messages.success(request, _("Contact %(name)s added.") % {"name": contact.name})
        return redirect(client)
    return render(
        request,
        "assessments/clients/contact_form.html",
        {"form": form, "client": client},
        status=400 if form.is_bound else 200,
    )


@member_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_for_business_or_404(Contact.objects.select_related("client"), request, pk=pk)
    form = ContactForm(request.POST or None, instance=contact, client=contact.client)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Contact %(name)s saved.") % {"name": contact.name})
        return redirect(contact)
    return render(
        request,
        "assessments/clients/contact_form.html",
        {"form": form, "client": contact.client, "contact": contact},
        status=400 if form.is_bound else 200,
    )


@member_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_for_business_or_404(Contact.objects.select_related("client"), request, pk=pk)
    flags = list(
        AbuseFlag.objects.filter(business=request.business, contact=contact)
        .select_related("contact", "raised_by", "cleared_by")
        .prefetch_related("incidents")
    )
    incidents = list(
        contact.incidents.filter(business=request.business).select_related("recorded_by")[
            : CONTACT_INCIDENTS + 1
        ]
    )
    return render(
        request,
        "assessments/clients/contact_detail.html",
        {
            "contact": contact,
            "client": contact.client,
            "open_flags": [flag for flag in flags if flag.is_open],
            "all_flags": flags,
            "incidents": incidents[:CONTACT_INCIDENTS],
            "more_incidents": len(incidents) > CONTACT_INCIDENTS,
        },
    )
