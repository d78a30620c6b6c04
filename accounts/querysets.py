"""The queryset every tenant-owned model's default manager is built on."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db import models

if TYPE_CHECKING:
    from accounts.models import Business

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet[M]):
    """`Model.objects.for_business(business)`: the one way to a business's rows."""

    def for_business(self, business: Business | None) -> TenantQuerySet[M]:
        """The rows of `business` (none for no business)."""
        if business is None:
            return self.none()
        return self.filter(business=business)
