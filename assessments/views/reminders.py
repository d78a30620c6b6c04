"""Reminders (owners only): the in-app list, one date as .ics, and the private calendar feed.

The feed is read by calendar apps, which cannot log in: its address carries a secret
token (only its hash is stored). Making a new address or revoking it deletes the old
one, which then answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Membership
from accounts.tenancy import for_business, get_for_business_or_404, owner_required
from assessments.calendar import calendar_bytes
from assessments.models import CalendarFeed, Reminder
from assessments.models.reminders import hash_feed_token

ICS = "text/calendar; charset=utf-8"


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@owner_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    reminders = for_business(Reminder, request).select_related("client")
    page = Paginator(reminders, 50).get_page(request.GET.get("page"))
    has_feed = CalendarFeed.objects.filter(user=request.user).exists()
    return render(request, "assessments/reminders/list.html", {"page": page, "has_feed": has_feed})


@owner_required
def reminder_ics(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = get_for_business_or_404(Reminder.objects.select_related("client"), request, pk=pk)
    body = calendar_bytes([reminder], name=request.business.name)
    return _ics_response(body, f"reminder-{reminder.pk}.ics")


@owner_required
@require_POST
def calendar_feed_create(request: HttpRequest) -> HttpResponse:
    token, token_hash = CalendarFeed.new_token()
    CalendarFeed.objects.update_or_create(user=request.user, defaults={"token_hash": token_hash})
    url = request.build_absolute_uri(reverse("assessments:calendar_feed", args=[token]))
    messages.success(
        request,
        _("Your calendar address (shown only now; any older one stopped working): %(url)s")
        % {"url": url},
    )
    return redirect("assessments:reminder_list")


@owner_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    CalendarFeed.objects.filter(user=request.user).delete()
    messages.success(request, _("Your calendar address no longer works."))
    return redirect("assessments:reminder_list")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_feed_token(token), user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    owned = Membership.objects.filter(user=feed.user, role=Membership.Role.OWNER).values("business")
    reminders = (
        Reminder.objects.filter(business__in=owned)
        .select_related("client")
        .order_by("-due_on", "-id")[:500]
    )
    return _ics_response(calendar_bytes(reminders, name="ClientReview"), "clientreview.ics")
