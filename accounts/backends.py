"""The login backend: Django's `ModelBackend`, with the user's memberships in the same query.

Every logged-in request needs the user (Django's `get_user`) and then the user's
memberships (`BusinessMiddleware`). Loading them together is one query instead of two:
the memberships join the user and the business, and the user comes from the first row.
A user with no membership yet (between sign-up steps, or removed from every business)
costs the usual second query.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.models import Membership

PATH = "accounts.backends.MemberBackend"


def memberships_of(user_id) -> list[Membership]:
    """The user's memberships, oldest first, each with its user and business (one query)."""
    return list(
        Membership.objects.select_related("user", "business")
        .filter(user_id=user_id)
        .order_by("created", "id")
    )


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        memberships = memberships_of(user_id)
        if memberships:
            user = memberships[0].user
            for membership in memberships:
                membership.user = user
        else:
            user = get_user_model()._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
        # Read by BusinessMiddleware instead of asking again; never changes afterwards.
        user.loaded_memberships = memberships
        return user if self.user_can_authenticate(user) else None
