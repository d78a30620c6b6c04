"""What was delivered to a client, and when: the work an incident can be about.

A delivery is a dated piece of delivered work (a batch of designs, a site handed over,
a monthly report), optionally tied to the invoice that billed it. An incident can say
which delivery (or invoice) it was about, so the record can show a pattern such as "a
complaint after each of the last five deliveries" (article 003, flag 15) and the letter
can cite it in words the client recognises.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from assessments.models.clients import Client
from assessments.models.money import Invoice


class Delivery(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="deliveries")
    delivered_on = models.DateField(_("delivered on"), default=timezone.localdate)
    title = models.CharField(
        _("what was delivered"),
        max_length=200,
        help_text=_("In words the client would recognise: “spring catalogue, final files”."),
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("invoice"),
    )
    note = models.CharField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["business", "client", "-delivered_on"], name="delivery_client_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({date_format(self.delivered_on, 'SHORT_DATE_FORMAT')})"
