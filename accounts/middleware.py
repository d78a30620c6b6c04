"""Every request knows its current business and membership."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Membership
from accounts.tenancy import SESSION_KEY


def memberships_of(user) -> list[Membership]:
    """The user's memberships, oldest first, each with its business (one query)."""
    return list(
        Membership.objects.select_related("business").filter(user=user).order_by("created", "id")
    )


class BusinessMiddleware:
    """Sets request.membership, request.memberships and request.business (chosen from the
    session, else the oldest membership) and activates the business's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership, memberships = None, []
        if request.user.is_authenticated:
            memberships = memberships_of(request.user)
            wanted = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if m.business_id == wanted), None)
            if membership is None and memberships:
                membership = memberships[0]
                request.session[SESSION_KEY] = membership.business_id
            for m in memberships:
                m.user = request.user  # the same object, not a second query per membership
        request.membership = membership
        request.memberships = memberships
        request.business = membership.business if membership else None
        if request.business is not None:
            timezone.activate(request.business.tzinfo)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
