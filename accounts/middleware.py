"""Every request knows its current business and membership."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Membership
from accounts.tenancy import SESSION_KEY


def _current_membership(request) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("business").filter(user=request.user)
    wanted = request.session.get(SESSION_KEY)
    chosen = None
    if wanted is not None:
        chosen = memberships.filter(business_id=wanted).first()
    if chosen is None:
        chosen = memberships.order_by("created", "id").first()
        if chosen is not None:
            request.session[SESSION_KEY] = chosen.business_id
    return chosen


class BusinessMiddleware:
    """Sets request.membership and request.business, and the business's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = None
        if request.user.is_authenticated:
            membership = _current_membership(request)
        request.membership = membership
        request.business = membership.business if membership else None
        if request.business is not None:
            timezone.activate(request.business.tzinfo)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
