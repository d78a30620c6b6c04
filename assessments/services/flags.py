"""Abuse flags on a client's contact: raise (owners are e-mailed at once), clear, read.

A flag is never deleted: clearing it records who, when and why, and the flag
stays in the contact's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.services import record_event
from assessments.models import AbuseFlag, Client, Contact, Incident


@transaction.atomic
def flag_contact(
    *,
    contact: Contact,
    raised_by: User | None,
    reason: str,
    incidents: Iterable[Incident] = (),
    review_on: date | None = None,
    request=None,
) -> AbuseFlag:
    """Flag a contact as abusive and e-mail every owner of the business once it is saved."""
    from assessments.tasks import notify_owners_of_flag

    incidents = list(incidents)
    for incident in incidents:
        if incident.business_id != contact.business_id or incident.client_id != contact.client_id:
            raise ValidationError(_("An incident of another client cannot back this flag."))
    flag = AbuseFlag(business_id=contact.business_id, contact=contact, reason=reason.strip())
    flag.raised_by = raised_by
    if review_on is not None:
        flag.review_on = review_on
    flag.save()
    if incidents:
        flag.incidents.set(incidents)
    record_event(
        contact.business,
        AuditEvent.Kind.FLAG_RAISED,
        actor=raised_by,
        request=request,
        detail=f"{contact.name} ({contact.client.name}), flag {flag.pk}",
    )
    notify_owners_of_flag.delay_on_commit(flag.pk)
    return flag


@transaction.atomic
def clear_flag(flag: AbuseFlag, *, cleared_by: User, reason: str, request=None) -> AbuseFlag:
    """Clear an open flag with a reason; the flag row and its history stay."""
    if not reason.strip():
        raise ValidationError(_("Say why the flag is cleared."))
    flag = (
        AbuseFlag.objects.select_for_update()
        .select_related("contact__client", "business")
        .get(pk=flag.pk)
    )
    if not flag.is_open:
        raise ValidationError(_("This flag was already cleared."))
    flag.cleared_at = timezone.now()
    flag.cleared_by = cleared_by
    flag.clear_reason = reason.strip()
    flag.save(update_fields=["cleared_at", "cleared_by", "clear_reason"])
    record_event(
        flag.business,
        AuditEvent.Kind.FLAG_CLEARED,
        actor=cleared_by,
        request=request,
        detail=f"{flag.contact.name} ({flag.contact.client.name}), flag {flag.pk}: {reason}",
    )
    return flag


def open_flags_for_client(client: Client) -> QuerySet[AbuseFlag]:
    """Open flags on any contact of `client`, ready for flags/_warnings.html (one query)."""
    return (
        AbuseFlag.objects.open()
        .filter(business_id=client.business_id, contact__client=client)
        .select_related("contact", "raised_by")
        .order_by("-raised_at", "-id")
    )


def open_flags_for_contact(contact: Contact) -> QuerySet[AbuseFlag]:
    """Open flags on `contact`, ready for flags/_warnings.html (one query)."""
    return (
        AbuseFlag.objects.open()
        .filter(business_id=contact.business_id, contact=contact)
        .select_related("contact", "raised_by")
        .order_by("-raised_at", "-id")
    )


def flag_history_for_contact(contact: Contact) -> QuerySet[AbuseFlag]:
    """Every flag of `contact`, open first, ready for flags/_history.html (two queries)."""
    return (
        AbuseFlag.objects.filter(business_id=contact.business_id, contact=contact)
        .select_related("contact", "raised_by", "cleared_by")
        .prefetch_related("incidents")
        .order_by(F("cleared_at").desc(nulls_first=True), "-raised_at", "-id")
    )
