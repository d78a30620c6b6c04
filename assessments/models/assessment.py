"""A red-flag review of one client, and the business's evidence thresholds."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from assessments import scoring
from assessments.models.clients import Client


class EvidenceThresholds(models.Model):
    """When the evidence rules propose a flag. Defaults are explained next to each field."""

    business = models.OneToOneField(
        Business, on_delete=models.CASCADE, related_name="evidence_thresholds"
    )
    # 002 names 90-120 days late as a payment risk; 30 days late on average is already a pattern.
    late_average_days = models.PositiveSmallIntegerField(
        _("average days late that counts as slow paying"),
        default=30,
        validators=[MaxValueValidator(3650)],
    )
    late_severe_days = models.PositiveSmallIntegerField(
        _("days late that counts as severely late"),
        default=90,
        validators=[MaxValueValidator(3650)],
    )
    # "Agrees up front, then tries to cut the cost": a quarter of invoices disputed is a habit.
    disputed_share = models.DecimalField(
        _("share of invoices disputed"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
    )
    discounts_count = models.PositiveSmallIntegerField(
        _("discounts pushed for after agreeing"), default=2, validators=[MinValueValidator(1)]
    )
    # 002's arithmetic: costing more to serve than it pays. 1.0 = cost equals revenue.
    cost_to_revenue_ratio = models.DecimalField(
        _("cost to serve over revenue"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("100"))],
    )
    # Size: cost to serve this many times revenue weighs as two serious flags (002:
    # "pays you $1,000 a month but costs you $2,000").
    major_cost_ratio = models.DecimalField(
        _("cost to serve over revenue that counts twice"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("100"))],
    )
    # Size: money overdue at or above this share of the client's yearly revenue weighs
    # as two serious flags: 50,000 overdue is not 500 overdue.
    major_overdue_share = models.DecimalField(
        _("overdue money, as a share of yearly revenue, that counts twice"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
    )
    # 003 #1: "contacted us after the last five deliveries to say you were unhappy".
    # Complaints, out-of-scope requests and unreasonable demands count together: the same
    # conduct logged under a neighbouring category weighs the same.
    complaints_90_days = models.PositiveSmallIntegerField(
        _("complaints or requests outside the agreement in 90 days"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    demands_serious_90_days = models.PositiveSmallIntegerField(
        _("complaints or requests outside the agreement in 90 days that are serious"),
        default=5,
        validators=[MinValueValidator(1)],
    )
    out_of_hours_90_days = models.PositiveSmallIntegerField(
        _("contacts outside agreed hours in 90 days"), default=3, validators=[MinValueValidator(1)]
    )
    scope_changes_90_days = models.PositiveSmallIntegerField(
        _("changes of mind or scope in 90 days"), default=3, validators=[MinValueValidator(1)]
    )
    # 003 #4: a client of some years who has never sent anyone your way.
    no_referrals_after_years = models.PositiveSmallIntegerField(
        _("years as a client with no referral"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # Article 002: "a business that depends on one client is a house of cards".
    concentration_share = models.DecimalField(
        _("share of revenue that calls for caution"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1"))],
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence thresholds"

    def __str__(self) -> str:
        return f"Thresholds for {self.business}"

    @classmethod
    def for_business(cls, business: Business) -> EvidenceThresholds:
        """The saved thresholds, or unsaved defaults when the owner has not changed any.

        Reads no row when the business was loaded with
        `select_related("evidence_thresholds")` (missing rows are then cached as None).
        """
        cached = business._state.fields_cache
        if "evidence_thresholds" in cached:
            found = cached["evidence_thresholds"]
        else:
            found = cls.objects.filter(business=business).first()
        return found or cls(business=business)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETE = "complete", _("Complete")

    class Step(models.IntegerChoices):
        EVIDENCE = 1, _("The evidence")
        CHECKLIST = 2, _("The checklist")
        WEIGHING = 3, _("The weighing")
        VERDICT = 4, _("The verdict")

    # One definition of each, shared with the pure verdict rules.
    Likelihood = scoring.Likelihood
    Verdict = scoring.Verdict

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    step = models.PositiveSmallIntegerField(choices=Step.choices, default=Step.EVIDENCE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    # The weighing.
    likelihood_of_change = models.CharField(
        _("how likely is the situation to change?"),
        max_length=10,
        choices=Likelihood.choices,
        blank=True,
    )
    # None until the owner answers it in the weighing (copied from the client when known).
    long_standing = models.BooleanField(
        _("long-standing or personal relationship"), null=True, blank=True, default=None
    )
    weighing_note = models.TextField(_("notes on the weighing"), blank=True, max_length=5000)
    # Snapshots at completion: a completed assessment never changes, even if the record does.
    evidence_snapshot = models.JSONField(default=dict, blank=True)
    figures_snapshot = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    rule = models.CharField(max_length=64, blank=True)
    rule_text = models.TextField(blank=True)
    reasons = models.JSONField(default=list, blank=True)
    next_steps = models.JSONField(default=list, blank=True)
    concentration_caution = models.TextField(blank=True)
    revenue_share = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    review_on = models.DateField(_("look again on"), null=True, blank=True)
    act_not_before = models.DateField(_("act no earlier than"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(
                fields=["business", "client", "-created"], name="assessment_client_created"
            ),
            models.Index(
                fields=["business", "status", "-completed_at"], name="assessment_status_done"
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.client} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment_detail", args=[self.pk])

    @property
    def is_complete(self) -> bool:
        return self.status == self.Status.COMPLETE

    @property
    def rule_display(self) -> str:
        """The rule that decided, in the active language: its label while the rule is
        known, else the text recorded when the review was completed (in the language it
        was completed in)."""
        if self.rule in scoring.Rule.values:
            return str(scoring.Rule(self.rule).label)
        return self.rule_text

    @property
    def cooling_off(self) -> bool:
        return bool(self.act_not_before and timezone.localdate() < self.act_not_before)

    def ensure_editable(self) -> None:
        if self.is_complete:
            raise PermissionDenied("A completed assessment never changes; start a new one.")


class AssessmentAnswer(models.Model):
    Answer = scoring.Answer

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    flag_key = models.CharField(max_length=40)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.NO)
    note = models.CharField(_("note"), max_length=2000, blank=True)
    proposed = models.BooleanField(
        default=False, help_text="The evidence rules proposed this flag."
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "flag_key"], name="unique_answer_per_flag"
            )
        ]

    def __str__(self) -> str:
        return f"{self.flag_key}: {self.answer}"
