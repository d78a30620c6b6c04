"""Abuse flags: any member flags a contact; owners clear flags; everyone sees the list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.tenancy import for_business, get_for_business_or_404, member_required, owner_required
from assessments.forms.flags import ClearFlagForm, FlagContactForm
from assessments.models import AbuseFlag, Contact, Incident
from assessments.services.flags import clear_flag, flag_contact
from clientreview.lib.forms import parse_id

PAGE_SIZE = 50


def _next_url(request: HttpRequest, default: str) -> str:
    """Where to go after the form: a same-site `next` if given, else `default`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: redirect() would take any other word for a URL name to reverse (a 500).
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _contact_page(contact: Contact) -> str:
    """The contact's page, which shows the new warning; the flag list if there is none."""
    try:
        return contact.get_absolute_url()
    except NoReverseMatch:
        return reverse("assessments:flag_list")


def _incident_from_query(request: HttpRequest, contact: Contact) -> Incident | None:
    pk = parse_id(request.GET.get("incident"))
    if pk is None:
        return None
    incidents = for_business(Incident, request).select_related("contact")  # for its label
    return incidents.filter(pk=pk, client=contact.client_id).first()


@member_required
def flag_contact_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_for_business_or_404(
        Contact.objects.select_related("client", "business"), request, pk=pk
    )
    next_url = _next_url(request, _contact_page(contact))
    if request.method == "POST":
        form = FlagContactForm(request.POST, contact=contact)
        if form.is_valid():
            flag_contact(
                contact=contact,
                raised_by=request.user,
                reason=form.cleaned_data["reason"],
                incidents=form.cleaned_data["incidents"],
                review_on=form.cleaned_data["review_on"],
                request=request,
            )
            messages.warning(
                request,
                _("%(contact)s is flagged as abusive. Every owner has been told by e-mail.")
                % {"contact": contact.name},
            )
            return redirect(next_url)
    else:
        form = FlagContactForm(contact=contact, preselect=_incident_from_query(request, contact))
    return render(
        request,
        "assessments/flags/form.html",
        {"form": form, "contact": contact, "next": next_url},
        status=400 if request.method == "POST" else 200,
    )


@owner_required
def flag_clear(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_for_business_or_404(
        AbuseFlag.objects.select_related("contact__client", "raised_by"), request, pk=pk
    )
    next_url = _next_url(request, reverse("assessments:flag_list"))
    if not flag.is_open:
        messages.info(request, _("This flag was already cleared."))
        return redirect(next_url)
    form = ClearFlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            clear_flag(
                flag, cleared_by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The flag on %(contact)s is cleared; it stays in their history.")
                % {"contact": flag.contact.name},
            )
            return redirect(next_url)
    return render(
        request,
        "assessments/flags/clear.html",
        {"form": form, "flag": flag, "next": next_url},
        status=400 if request.method == "POST" else 200,
    )


@member_required
def flag_list(request: HttpRequest) -> HttpResponse:
    """Every flag, fifty to a page: open ones first, soonest review first."""
    flags = (
        for_business(AbuseFlag, request)
        .select_related("contact__client", "raised_by", "cleared_by")
        .prefetch_related(
            Prefetch("incidents", queryset=Incident.objects.order_by("occurred_at", "id"))
        )
        # Open flags first, soonest review first; then cleared ones, latest first.
        .order_by(F("cleared_at").desc(nulls_first=True), "review_on", "-id")
    )
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "today": timezone.localdate()}
    return render(request, "assessments/flags/list.html", context)
