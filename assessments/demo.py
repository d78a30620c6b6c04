"""The demo business, "Demo Studio": built by `manage.py seed_demo`, idempotently.

Dates are relative to today so the demo never goes stale.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import Business, Membership, User

DEMO_BUSINESS = "Demo Studio"
DEMO_PASSWORD = "clientreview-demo"  # noqa: S105 - published demo credentials
DEMO_OWNER = "owner@example.com"
DEMO_STAFF = "staff@example.com"


def _user(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_demo() -> Business:
    business, _ = Business.objects.get_or_create(
        name=DEMO_BUSINESS,
        defaults={"time_zone": "Europe/London", "currency": "EUR"},
    )
    owner = _user(DEMO_OWNER, "Olivia Owner")
    staff = _user(DEMO_STAFF, "Sam Staff")
    Membership.objects.update_or_create(
        user=owner, business=business, defaults={"role": Membership.Role.OWNER}
    )
    Membership.objects.update_or_create(
        user=staff, business=business, defaults={"role": Membership.Role.STAFF}
    )
    return business
