from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.tenancy import for_business, member_required
from assessments.models import AbuseFlag, Incident
from assessments.views.portfolio import owner_home

RECENT_INCIDENTS = 10
# The newest open abuse flags, in full; the rest are a link away (the flag list pages them).
# A business with thousands of clients can have a hundred open flags: all of them would
# bury the page, and its own incidents, under warnings, and take a tenth of a second.
HOME_FLAGS = 5


@member_required
def home(request: HttpRequest) -> HttpResponse:
    if request.membership.is_owner:
        return owner_home(request)
    return staff_home(request)


def staff_home(request: HttpRequest) -> HttpResponse:
    """Staff: log an incident in one tap, see what they logged and who is flagged."""
    recent = (
        for_business(Incident, request)
        .filter(recorded_by=request.user)
        .select_related("client", "contact")
        .order_by("-recorded_at", "-id")[:RECENT_INCIDENTS]
    )
    open_flags = for_business(AbuseFlag.objects.open(), request)
    # The newest few found first, then joined to their contacts and clients: joined first,
    # PostgreSQL reads every contact of the business to sort the open flags.
    newest = open_flags.order_by("-raised_at", "-id").values("pk")[:HOME_FLAGS]
    flags = list(
        AbuseFlag.objects.filter(pk__in=newest)
        .select_related("contact__client", "raised_by")
        .order_by("-raised_at", "-id")
    )
    open_count = open_flags.count() if len(flags) == HOME_FLAGS else len(flags)
    context = {"recent": recent, "flags": flags, "open_flag_count": open_count}
    return render(request, "assessments/incidents/staff_home.html", context)
