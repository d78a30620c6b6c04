"""Celery tasks of the review domain. Each takes primary keys and re-fetches its rows."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from assessments.models import AbuseFlag

logger = logging.getLogger(__name__)

# =============================================================================
# Abuse flags: tell every owner at once.
# =============================================================================

FLAG_NOTIFIED_KEY = "abuse-flag-notified:{pk}"
FLAG_NOTIFIED_TTL = 7 * 24 * 3600


def _already_notified(flag_id: int) -> bool:
    try:
        return bool(cache.get(FLAG_NOTIFIED_KEY.format(pk=flag_id)))
    except Exception:  # noqa: BLE001 - a cache outage must not stop the warning
        logger.warning("cache unavailable while checking flag %s notification", flag_id)
        return False


def _mark_notified(flag_id: int) -> None:
    try:
        cache.set(FLAG_NOTIFIED_KEY.format(pk=flag_id), 1, FLAG_NOTIFIED_TTL)
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable while marking flag %s as notified", flag_id)


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=30,
    time_limit=60,
)
def notify_owners_of_flag(flag_id: int) -> int:
    """E-mail every owner of the flag's business that a contact was flagged abusive.

    Idempotent enough: a run that already sent (re-delivered after a lost ack)
    is skipped through a cache mark set after sending. If the mark cannot be
    kept, owners may get the warning twice, which beats not getting it at all.
    Returns the number of e-mails sent.
    """
    flag = (
        AbuseFlag.objects.select_related("business", "contact__client", "raised_by")
        .filter(pk=flag_id)
        .first()
    )
    if flag is None or _already_notified(flag_id):
        return 0
    owners = list(
        User.objects.filter(
            memberships__business=flag.business,
            memberships__role=Membership.Role.OWNER,
            is_active=True,
        )
        .exclude(email="")
        .order_by("email")
        .distinct()
    )
    if not owners:
        return 0
    incidents = list(flag.incidents.order_by("occurred_at", "id"))
    with timezone.override(flag.business.tzinfo):
        context = {
            "flag": flag,
            "business": flag.business,
            "contact": flag.contact,
            "client": flag.contact.client,
            "incidents": [
                (incident, settings.SITE_URL + incident.get_absolute_url())
                for incident in incidents
            ],
            "flags_link": settings.SITE_URL + reverse("assessments:flag_list"),
        }
        subject = render_to_string("emails/abuse_flag_subject.txt", context)
        body = render_to_string("emails/abuse_flag.txt", context)
    # Names typed by users must not break the Subject header.
    subject = " ".join(subject.split())[:200]
    messages = [EmailMessage(subject, body, to=[owner.email]) for owner in owners]
    get_connection().send_messages(messages)
    _mark_notified(flag_id)
    return len(messages)


# =============================================================================
# (Offboarding plan tasks go below this line.)
# =============================================================================
