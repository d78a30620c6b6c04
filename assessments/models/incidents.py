"""The append-only incident log.

`Incident` holds the current content (what queries and pages read);
`IncidentVersion` holds every version ever written, each chained by SHA-256
to the previous version of the same business. Nothing here can be deleted.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from assessments.models.clients import Client, Contact

GENESIS_HASH = "0" * 64


class Category(models.TextChoices):
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse or threatening behaviour")
    VERBAL_ABUSE = "verbal_abuse", _("Verbal abuse, shouting or name-calling")
    HARASSMENT = "harassment", _("Harassment or belittling remarks")
    THREAT = "threat", _("Threat")
    LYING = "lying", _("Lying or twisting an agreement")
    UNREASONABLE_DEMAND = "unreasonable_demand", _("Unreasonable demand")
    OUT_OF_SCOPE = "out_of_scope", _("Asked for work outside the agreed scope")
    OUT_OF_HOURS = "out_of_hours", _("Contact outside agreed hours")
    COMPLAINT = "complaint", _("Complaint")
    CHANGED_MIND = "changed_mind", _("Changed their mind or the scope")
    IGNORED_ADVICE = "ignored_advice", _("Ignored our advice, then blamed us")
    COMPETITOR_PRESSURE = "competitor_pressure", _("Played us against a competitor")
    UNETHICAL_REQUEST = "unethical_request", _("Asked for something unethical")
    LEGAL_RISK = "legal_risk", _("Something that could cause legal trouble")
    REPUTATION_THREAT = "reputation_threat", _("Threatened our reputation")
    PAYMENT_DISPUTE = "payment_dispute", _("Disputed a payment or haggled")
    OTHER = "other", _("Something else")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# Weights for "trouble" (portfolio Pareto): a critical incident outweighs many small ones.
SEVERITY_WEIGHT = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 4, Severity.CRITICAL: 8}


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("Message or chat")
    OTHER = "other", _("Other")


class IncidentQuerySet(TenantQuerySet):
    def delete(self):
        raise PermissionDenied("Incidents are never deleted; amend them instead.")


class Incident(models.Model):
    """One event in a client relationship, as currently recorded (latest version)."""

    Category = Category
    Severity = Severity
    Channel = Channel

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(
        _("number"), help_text=_("Per business, in order of recording.")
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="incidents")
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    category = models.CharField(_("what kind of incident"), max_length=32, choices=Category.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    occurred_at = models.DateTimeField(_("when it happened"), default=timezone.now)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    outside_hours = models.BooleanField(_("outside agreed contact hours"), default=False)
    # Extra work the client was billed for: never counts against them, whatever the
    # category (a demanding client who pays for every extra is a good client).
    billed_as_extra = models.BooleanField(
        _("billed as extra"),
        default=False,
        help_text=_("The client was billed for this as extra work (or will be)."),
    )
    description = models.TextField(_("what happened"), max_length=20000)
    witnesses = models.CharField(_("witnesses"), max_length=500, blank=True)
    # What the incident was about, when it was about one piece of work or one invoice
    # (at most one of the two, checked by the forms): "a complaint after a delivery".
    delivery = models.ForeignKey(
        "assessments.Delivery",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("delivery it was about"),
    )
    invoice = models.ForeignKey(
        "assessments.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("invoice it was about"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    version_count = models.PositiveIntegerField(default=1)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="unique_incident_number")
        ]
        indexes = [
            models.Index(
                fields=["business", "client", "-occurred_at"], name="incident_client_time"
            ),
            models.Index(fields=["business", "-occurred_at"], name="incident_business_time"),
            models.Index(
                fields=["business", "recorded_by", "-recorded_at"], name="incident_recorder"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:incident_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Incidents are never deleted; amend them instead.")

    def content(self) -> dict:
        """The fields a version records, in a stable, JSON-ready form."""
        content = {
            "client": self.client_id,
            "contact": self.contact_id,
            "category": self.category,
            "severity": self.severity,
            "occurred_at": self.occurred_at.astimezone(dt_timezone.utc).isoformat(),
            "channel": self.channel,
            "outside_hours": self.outside_hours,
            "description": self.description,
            "witnesses": self.witnesses,
        }
        # Only when set: versions written before the field existed hash and compare the same.
        if self.billed_as_extra:
            content["billed_as_extra"] = True
        if self.delivery_id:
            content["delivery"] = self.delivery_id
        if self.invoice_id:
            content["invoice"] = self.invoice_id
        return content


class IncidentVersionQuerySet(TenantQuerySet):
    def delete(self):
        raise PermissionDenied("Incident versions are never deleted.")


class IncidentVersion(models.Model):
    """An immutable version of an incident, hash-chained per business."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="versions")
    seq = models.PositiveBigIntegerField(help_text="Position in the business's chain, from 1.")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    reason = models.CharField(_("reason for the amendment"), max_length=1000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_email = models.CharField(max_length=254, blank=True)
    created = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = IncidentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["business", "seq"], name="unique_version_seq"),
            models.UniqueConstraint(fields=["incident", "version"], name="unique_incident_version"),
        ]

    def __str__(self) -> str:
        return f"Incident {self.incident_id} v{self.version}"

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Incident versions are never deleted.")

    def compute_hash(self) -> str:
        return compute_version_hash(
            prev_hash=self.prev_hash,
            business_id=self.business_id,
            incident_id=self.incident_id,
            seq=self.seq,
            version=self.version,
            content=self.content,
            reason=self.reason,
            author_email=self.author_email,
            created=self.created,
        )


def compute_version_hash(
    *, prev_hash, business_id, incident_id, seq, version, content, reason, author_email, created
) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "business": business_id,
            "incident": incident_id,
            "seq": seq,
            "version": version,
            "content": content,
            "reason": reason,
            "author": author_email,
            "created": created.astimezone(dt_timezone.utc).isoformat(),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is random: the uploader's file name is kept only as data.
    import uuid

    return f"evidence/{instance.business_id}/{uuid.uuid4().hex}"


# The image types the upload check accepts (assessments.services.evidence.ACCEPTED).
PREVIEWABLE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


class PreviewStatus(models.TextChoices):
    NONE = "", _("no preview")
    PENDING = "pending", _("preview being prepared")
    READY = "ready", _("preview ready")
    FAILED = "failed", _("no preview possible")


class Evidence(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # A PDF's first page as PNG, rendered by the worker (images are shown as stored).
    preview = models.FileField(max_length=300, blank=True)
    preview_status = models.CharField(
        max_length=10, choices=PreviewStatus.choices, blank=True, default=PreviewStatus.NONE
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type in PREVIEWABLE_IMAGE_TYPES

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def has_preview(self) -> bool:
        """True when the preview URL answers with an image."""
        if self.is_image:
            return True
        return self.is_pdf and self.preview_status == PreviewStatus.READY and bool(self.preview)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Evidence is part of the incident record and is never deleted.")
