"""What a client was billed and paid, and what serving them cost."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from assessments.models.clients import Client

MAX_AMOUNT = Decimal("999999999.99")


class Invoice(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=60)
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    due_on = models.DateField(
        _("due on"), help_text=_("Leave empty to use the client's payment terms.")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    paid_on = models.DateField(
        _("paid on"), null=True, blank=True, help_text=_("Empty while unpaid.")
    )
    disputed = models.BooleanField(_("disputed"), default=False)
    dispute_note = models.CharField(_("what was disputed"), max_length=1000, blank=True)
    discount_pushed = models.DecimalField(
        _("discount pushed for after agreeing"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
        help_text=_("How much the client talked the price down after it was agreed."),
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="unique_invoice_number"),
        ]
        indexes = [
            models.Index(fields=["business", "client", "issued_on"], name="invoice_client_issued"),
            # Covering: the business's revenue over 12 months is an index-only scan.
            models.Index(
                fields=["business", "issued_on"],
                include=["amount"],
                name="invoice_business_issued_amt",
            ),
            models.Index(fields=["business", "paid_on"], name="invoice_business_paid"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.paid_on is None

    def days_late(self, today=None) -> int:
        """Days past due: to payment, or to today while open; never negative."""
        # Imported here: the figures package imports these models.
        from assessments.figures.definitions import days_late_of

        return days_late_of(self.due_on, self.paid_on, today or timezone.localdate())


class TimeEntry(models.Model):
    class Kind(models.TextChoices):
        BILLABLE = "billable", _("Billable work")
        UNBILLED_SUPPORT = "unbilled_support", _("Unbilled support")
        HAND_HOLDING = "hand_holding", _("Hand-holding")
        REWORK = "rework", _("Rework")
        MEETING = "meeting", _("Meetings")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="time_entries")
    date = models.DateField(_("date"), default=timezone.localdate)
    minutes = models.PositiveIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    kind = models.CharField(
        _("kind of work"), max_length=20, choices=Kind.choices, default=Kind.BILLABLE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    cost_rate = models.DecimalField(
        _("cost per hour"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("9999999.99"))],
        help_text=_("Leave empty to use the business's default staff cost."),
    )
    note = models.CharField(_("note"), max_length=1000, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "time entries"
        indexes = [
            models.Index(fields=["business", "client", "date"], name="time_client_date"),
            models.Index(fields=["business", "date"], name="time_business_date"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.date}"

    @property
    def cost(self) -> Decimal:
        from assessments.figures.definitions import time_cost  # the figures import models

        return time_cost(self.minutes, self.cost_rate)

    @property
    def unbilled(self) -> bool:
        return self.kind != self.Kind.BILLABLE


class Expense(models.Model):
    """Money spent serving a client other than time (travel, materials, a subcontractor):
    part of the cost to serve (flag 9 weighs "time and expense")."""

    class Category(models.TextChoices):
        TRAVEL = "travel", _("Travel")
        MATERIALS = "materials", _("Materials")
        SUBCONTRACTOR = "subcontractor", _("Subcontractor")
        SOFTWARE = "software", _("Software or services")
        OTHER = "other", _("Other")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="expenses")
    date = models.DateField(_("date"), default=timezone.localdate)
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, blank=True, default=""
    )
    note = models.CharField(_("note"), max_length=1000, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["business", "client", "date"], name="expense_client_date"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.date}"
