"""The queryset every tenant-owned model's default manager is built on."""

from __future__ import annotations

from django.db import models


class TenantQuerySet(models.QuerySet):
    """`Model.objects.for_business(business)`: the one way to a business's rows."""

    def for_business(self, business) -> TenantQuerySet:
        """The rows of `business` (none for no business)."""
        if business is None:
            return self.none()
        return self.filter(business=business)
