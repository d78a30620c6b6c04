"""The offboarding plan and the owner's directory of referral partners."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from assessments.models.assessment import Assessment
from assessments.models.clients import Client


class ReferralPartner(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    speciality = models.CharField(_("speciality"), max_length=200, blank=True)
    contact = models.CharField(_("contact details"), max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["business", "name"], name="partner_business_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.speciality})" if self.speciality else self.name


class OffboardingPlan(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be built")
        PROCESSING = "processing", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Goodwill(models.TextChoices):
        REFUND_LAST = "refund_last", _("Refund the last paid invoice")
        CANCEL_OPEN = "cancel_open", _("Cancel an open invoice")
        WAIVE_FEE = "waive_fee", _("Waive a fee")
        NONE = "none", _("No goodwill offer")

    class NoticeKind(models.TextChoices):
        DAYS = "days", _("A number of days")
        END_OF_WORK = "end_of_work", _("The end of the current piece of work")

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video call")
        WRITING = "writing", _("In writing only")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="plans")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="plans")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    # The choices.
    reason_flag = models.CharField(_("the one reason to give"), max_length=40)
    reason_fact = models.TextField(_("the documented fact that frames it"), max_length=2000)
    goodwill = models.CharField(
        _("goodwill"), max_length=20, choices=Goodwill.choices, default=Goodwill.NONE
    )
    goodwill_amount = models.DecimalField(
        _("goodwill amount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("999999999.99"))],
    )
    goodwill_invoice = models.ForeignKey(
        "assessments.Invoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invoice"),
    )
    apology = models.BooleanField(_("include an apology"), default=True)
    partners = models.ManyToManyField(
        ReferralPartner, blank=True, verbose_name=_("referral partners")
    )
    provider_kind = models.CharField(_("or a kind of provider"), max_length=300, blank=True)
    notice_kind = models.CharField(
        _("notice"), max_length=20, choices=NoticeKind.choices, default=NoticeKind.DAYS
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    work_ends_on = models.DateField(_("current piece of work ends on"), null=True, blank=True)
    method = models.CharField(
        _("how to tell them"), max_length=20, choices=Method.choices, default=Method.IN_PERSON
    )
    witness = models.CharField(_("witness on the call"), max_length=200, blank=True)
    announce_on = models.DateField(_("the day to tell them"))
    private_notes = models.TextField(_("private notes"), blank=True, max_length=10000)
    # Building the PDF.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="plans/", max_length=300, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Acting on it.
    finalised_at = models.DateTimeField(null=True, blank=True)
    exit_recorded_at = models.DateTimeField(null=True, blank=True)
    # The letter sent from the app (once: a set letter_sent_at refuses a second send).
    letter_sent_at = models.DateTimeField(null=True, blank=True)
    letter_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    letter_sent_to = models.EmailField(_("letter sent to"), blank=True)
    letter_sent_to_name = models.CharField(_("letter sent to (name)"), max_length=200, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["business", "client", "-created"], name="plan_client_created"),
            models.Index(fields=["status", "enqueued_at"], name="plan_status_enqueued"),
        ]

    def __str__(self) -> str:
        return f"Offboarding plan for {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:plan_detail", args=[self.pk])

    @property
    def notice_ends_on(self):
        if self.notice_kind == self.NoticeKind.END_OF_WORK and self.work_ends_on:
            return self.work_ends_on
        return self.announce_on + timedelta(days=self.notice_days)
