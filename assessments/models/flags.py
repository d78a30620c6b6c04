from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from assessments.models.clients import Contact
from assessments.models.incidents import Incident

REVIEW_AFTER_DAYS = 90


def default_review_on():
    return timezone.localdate() + timedelta(days=REVIEW_AFTER_DAYS)


class AbuseFlagQuerySet(TenantQuerySet):
    def open(self):
        return self.filter(cleared_at__isnull=True)


class AbuseFlag(models.Model):
    """A warning that a client's contact is abusive. Cleared, never deleted: the history stays."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="abuse_flags")
    reason = models.TextField(_("what they did"), max_length=5000)
    incidents = models.ManyToManyField(
        Incident, blank=True, related_name="abuse_flags", verbose_name=_("incidents that show it")
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    review_on = models.DateField(_("review on"), default=default_review_on)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clear_reason = models.TextField(_("why it is cleared"), max_length=5000, blank=True)
    # When the owners were e-mailed about it (once, by `notify_owners_of_flag`).
    owners_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AbuseFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["business", "cleared_at"], name="flag_business_open")]

    def __str__(self) -> str:
        return f"Abuse flag on {self.contact}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None
