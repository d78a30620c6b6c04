"""One-time form tokens: the record a form submission created, so a resubmit finds it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.models import Business
from accounts.querysets import TenantQuerySet


class Submission(models.Model):
    """A form's one-time token, claimed in the transaction that creates its record.

    The unique (business, token) pair is what stops the duplicate: a second submission
    of the same form (Back, then Save; a double click) cannot claim the token again and
    is shown the record the first one created (`path`).
    """

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    path = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "token"], name="unique_submission_token")
        ]

    def __str__(self) -> str:
        return f"Submission {self.token[:8]}… -> {self.path}"
