from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from clientreview.lib.text import fold


class NamedQuerySet(TenantQuerySet):
    """Rows with a `search_name` beside their `name`, kept in step on every path that
    writes a name: `save()` and `bulk_create()` (nothing updates names in bulk)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.search_name = fold(obj.name)
        return super().bulk_create(objs, *args, **kwargs)


class Named(models.Model):
    """A client's or contact's name, and the same name as a search compares it
    (`clientreview.lib.text.fold`), so search works alike on SQLite and PostgreSQL; the
    folded name is trigram-indexed on PostgreSQL (migration 0012)."""

    name = models.CharField(_("name"), max_length=200)
    # Text: folding can lengthen a name ("ß" is "ss").
    search_name = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)


class Client(Named):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        UNDER_REVIEW = "under_review", _("Under review")
        OFFBOARDING = "offboarding", _("Offboarding")
        OFFBOARDED = "offboarded", _("Offboarded")

    class BillingModel(models.TextChoices):
        HOURLY = "hourly", _("Hourly")
        FIXED = "fixed", _("Fixed price")
        RETAINER = "retainer", _("Retainer")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="clients")
    client_since = models.DateField(_("client since"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    # Empty, None: not recorded. An evidence rule that needs one of these asks the owner
    # in the checklist rather than reading a default as an answer nobody gave.
    billing_model = models.CharField(
        _("billing model"),
        max_length=20,
        choices=BillingModel.choices,
        blank=True,
        default="",
        help_text=_("Leave empty if you do not know: the review will ask."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(365)]
    )
    has_written_contract = models.BooleanField(
        _("written contract"), null=True, blank=True, default=None
    )
    contract_terms = models.TextField(
        _("key contract terms"),
        blank=True,
        max_length=5000,
        help_text=_("Scope, price, timeline, notice: what the contract says."),
    )
    contract_notice_days = models.PositiveSmallIntegerField(
        _("notice period in the contract (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Leave empty when the contract sets none; the plan then uses yours."),
    )
    has_termination_clause = models.BooleanField(
        _("the contract has a termination clause"), default=False
    )
    referrals_sent = models.PositiveIntegerField(
        _("referrals they have sent you"),
        null=True,
        blank=True,
        default=None,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
        help_text=_("Leave empty if you have not counted: 0 means none at all."),
    )
    long_standing = models.BooleanField(
        _("long-standing or personal relationship"),
        null=True,
        blank=True,
        default=None,
        help_text=_(
            "An old client or a friend: weigh how likely things are to change before acting."
        ),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=20000)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The letter is written in this language; blank: the business's."),
    )
    offboarded_on = models.DateField(_("offboarded on"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = NamedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["business", "name"], name="client_business_name"),
            models.Index(fields=["business", "status"], name="client_business_status"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:client_detail", args=[self.pk])

    @property
    def accepts_new_work(self) -> bool:
        return self.status != self.Status.OFFBOARDED


class Contact(Named):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(_("role"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = NamedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["business", "client"], name="contact_business_client")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:contact_detail", args=[self.pk])
