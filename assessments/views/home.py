from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.tenancy import for_business, member_required
from assessments.models import AbuseFlag, Incident
from assessments.views.portfolio import owner_home

RECENT_INCIDENTS = 10


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
    flags = (
        for_business(AbuseFlag.objects.open(), request)
        .select_related("contact__client", "raised_by")
        .order_by("-raised_at", "-id")
    )
    return render(
        request, "assessments/incidents/staff_home.html", {"recent": recent, "flags": flags}
    )
