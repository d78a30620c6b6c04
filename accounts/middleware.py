"""Every request knows its current business and membership."""

from __future__ import annotations

from functools import partial

from django.contrib.auth import middleware as auth_middleware
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts import identity
from accounts.backends import memberships_of
from accounts.models import Membership
from accounts.tenancy import SESSION_KEY


def _memberships(request) -> tuple[Membership | None, list[Membership]]:
    """The user's memberships and the current one, chosen from the session.

    `MemberBackend` loads them with the user; a session started with another backend
    costs one query here.
    """
    memberships = getattr(request.user, "loaded_memberships", None)
    if memberships is None:
        memberships = memberships_of(request.user.pk)
    if not memberships:
        return None, []
    wanted = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if m.business_id == wanted), None)
    if chosen is None:
        chosen = memberships[0]
        request.session[SESSION_KEY] = chosen.business_id
    return chosen, memberships


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = identity.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with `request.user` from `accounts.identity` (a snapshot when one holds)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(partial(_get_user, request))


class BusinessMiddleware:
    """Sets request.membership and request.business, and the business's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership, memberships = None, []
        if request.user.is_authenticated:
            membership, memberships = _memberships(request)
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
