"""Between reviews: reminders of dates that fall due, early warnings of clients going bad,
and each owner's private calendar feed."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from assessments.models.clients import Client


class Reminder(models.Model):
    """One date that fell due. `key` names what it is about, so each is made (and sent) once."""

    class Kind(models.TextChoices):
        COOLING_OFF_OVER = "cooling_off_over", _("Cooling-off is over: act, or drop the plan")
        FLAG_REVIEW = "flag_review", _("Abuse flag to review")
        WATCH_REVIEW = "watch_review", _("Watch verdict to look at again")
        NOTICE_ENDS = "notice_ends", _("Notice period ends")
        OPEN_INVOICES = "open_invoices", _("Invoices still open for a client you are leaving")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100)
    due_on = models.DateField(_("due on"))
    path = models.CharField(max_length=200)
    created = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "key"], name="unique_reminder_key")
        ]
        indexes = [models.Index(fields=["business", "-due_on"], name="reminder_business_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.client} on {self.due_on}"

    def get_absolute_url(self) -> str:
        return self.path


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A secret address serving one user's reminders as iCalendar; revoked by deleting it.

    Only the token's hash is stored: the address is shown once, when it is made.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, hash_feed_token(token)


class EarlyWarning(models.Model):
    """The evidence rules, run by the daily task, newly point a client to Watch or Fire.

    Recorded when what the rules propose includes a flag that was neither proposed nor
    confirmed at the client's last review, nor in the last warning about it; shown until
    the client is reviewed again, and e-mailed in each owner's digest once.
    """

    class Verdict(models.TextChoices):
        WATCH = "watch", _("Watch")
        FIRE = "fire", _("Fire")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="early_warnings")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    # Every flag the rules propose, and those of them that are new since the baseline.
    flags = models.JSONField(default=list)
    new_flags = models.JSONField(default=list)
    created = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["business", "-created"], name="warning_business_created")]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()}: {self.client} on {self.created:%Y-%m-%d}"
