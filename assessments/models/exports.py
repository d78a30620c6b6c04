"""Evidence-grade exports of one client's incident log (PDF and CSV, built by the worker)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from assessments.models.clients import Client


class LogExport(models.Model):
    """One request to export a client's incident log, and the files it produced.

    `language` is the requesting owner's language when they asked: the worker has no
    request to read it from, and a later change of language must not change a record
    that was handed to a lawyer. At most one export per client is pending at a time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", pgettext_lazy("log export", "Ready")
        FAILED = "failed", pgettext_lazy("log export", "Failed")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="log_exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pdf = models.FileField(upload_to="exports/", max_length=300, blank=True)
    csv = models.FileField(upload_to="exports/", max_length=300, blank=True)
    # The chain check's verdict on this client's versions when the files were built.
    chain_ok = models.BooleanField(null=True, blank=True)
    version_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["business", "client", "-requested_at"], name="log_export_client_time"
            )
        ]
        constraints = [
            # Asking twice while one is being prepared gives the same export, not a second.
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="pending"),
                name="one_pending_log_export_per_client",
            )
        ]

    def __str__(self) -> str:
        return f"Log export {self.pk} of {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:log_export_detail", args=[self.pk])

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.pdf) and bool(self.csv)
