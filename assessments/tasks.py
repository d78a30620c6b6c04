"""Celery tasks of the review domain. Each takes primary keys and re-fetches its rows."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, User
from assessments.language import owner_language
from assessments.models import AbuseFlag

logger = logging.getLogger(__name__)

# =============================================================================
# Abuse flags: tell every owner at once.
# =============================================================================


def _abuse_flag_mail(context: dict, language: str, tz) -> tuple[str, str]:
    """The abuse-flag e-mail's subject and body in one owner's language and the business's
    time zone (a worker has no request to set either)."""
    with timezone.override(tz), translation.override(language):
        subject = render_to_string("emails/abuse_flag_subject.txt", context)
        body = render_to_string("emails/abuse_flag.txt", context)
    # Names typed by users must not break the Subject header.
    return " ".join(subject.split())[:200], body


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

    Once: the flag's row is locked while the e-mails go, and `owners_notified_at` is
    set in the same transaction, so a run re-delivered after a lost ack, or a second
    worker, finds it set and sends nothing; a failed send rolls back and is retried.
    Returns the number of e-mails sent.
    """
    with transaction.atomic():
        flag = (
            AbuseFlag.objects.select_for_update(of=("self",))
            .select_related("business", "contact__client", "raised_by")
            .filter(pk=flag_id, owners_notified_at__isnull=True)
            .first()
        )
        if flag is None:
            return 0
        sent = _send_flag_mail(flag)
        flag.owners_notified_at = timezone.now()
        flag.save(update_fields=["owners_notified_at"])
    return sent


def _send_flag_mail(flag: AbuseFlag) -> int:
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
    context = {
        "flag": flag,
        "business": flag.business,
        "contact": flag.contact,
        "client": flag.contact.client,
        "incidents": [
            (incident, settings.SITE_URL + incident.get_absolute_url()) for incident in incidents
        ],
        "flags_link": settings.SITE_URL + reverse("assessments:flag_list"),
    }
    rendered: dict[str, tuple[str, str]] = {}  # one rendering per language, not per owner
    messages = []
    for owner in owners:
        language = owner_language(owner, flag.business)
        if language not in rendered:
            rendered[language] = _abuse_flag_mail(context, language, flag.business.tzinfo)
        subject, body = rendered[language]
        messages.append(EmailMessage(subject, body, to=[owner.email]))
    get_connection().send_messages(messages)
    return len(messages)


# =============================================================================
# (Offboarding plan tasks go below this line.)
# =============================================================================

# Imports of this section stay here so the two sections can be read (and merged) apart.
import os  # noqa: E402
import tempfile  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402

from celery.exceptions import SoftTimeLimitExceeded  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import OperationalError as DatabaseOperationalError  # noqa: E402
from django.db.models import F, Q  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from assessments.models import OffboardingPlan  # noqa: E402
from assessments.services.plan_files import store_plan_file  # noqa: E402

# A pending plan is published again when nobody has picked it up for this long.
REQUEUE_PENDING_AFTER = timedelta(seconds=60)

# Worth another try: the database or a network share hiccuped. Anything else (a bug, a
# template error) fails the same way every time, so it is recorded, not retried.
PLAN_TRANSIENT_ERRORS = (DatabaseOperationalError, ConnectionError, TimeoutError)
PLAN_MAX_RETRIES = 3
# How the documents the worker builds (the plan's PDF, a client's log export) run: the
# message is acknowledged only once the build is done, so a killed worker's is delivered
# again; transient errors are retried with backoff.
DOCUMENT_TASK = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "autoretry_for": PLAN_TRANSIENT_ERRORS,
    "retry_backoff": True,
    "max_retries": PLAN_MAX_RETRIES,
}


def _plan_failed(plan_id: int, reason: str) -> None:
    OffboardingPlan.objects.filter(pk=plan_id).update(
        status=OffboardingPlan.Status.FAILED, last_error=reason[:1000], updated=timezone.now()
    )


@shared_task(**DOCUMENT_TASK)
def build_plan_pdf(self, plan_id: int) -> str:
    """Build the offboarding plan's PDF (paperless-ngx's `build_share_link_bundle` pattern).

    Re-fetches the plan; does nothing if it is already READY with its file (so running
    twice, or a re-delivery after a lost ack, gives one file); marks it PROCESSING;
    renders to a temporary file and moves that into storage under the plan's own name;
    marks it READY. A worker killed mid-build leaves the message unacknowledged and the
    plan PROCESSING: the broker re-delivers it, or the sweep queues it again. Returns
    the outcome: "ready", "already ready", "missing", "failed", or "superseded" when the
    plan was queued again while this build ran (the newer build will make its file).
    """
    from assessments.pdf import render_plan_pdf  # WeasyPrint loads only where PDFs are built

    plan = OffboardingPlan.objects.select_related("business").filter(pk=plan_id).first()
    if plan is None:
        return "missing"
    if (
        plan.status == OffboardingPlan.Status.READY
        and plan.file
        and default_storage.exists(plan.file.name)
    ):
        return "already ready"
    OffboardingPlan.objects.filter(pk=plan_id).update(
        status=OffboardingPlan.Status.PROCESSING,
        attempts=F("attempts") + 1,
        updated=timezone.now(),
    )
    try:
        with tempfile.TemporaryDirectory(prefix="clientreview-plan-") as folder:
            path = os.path.join(folder, "plan.pdf")
            render_plan_pdf(plan, path)
            stored = store_plan_file(plan_id, path, enqueued_at=plan.enqueued_at)
    except PLAN_TRANSIENT_ERRORS as exc:
        if self.request.retries < PLAN_MAX_RETRIES:
            raise  # autoretry_for queues it again, with backoff
        logger.exception("Plan %s: giving up after %s retries", plan_id, PLAN_MAX_RETRIES)
        _plan_failed(
            plan_id,
            _("The PDF could not be built: a service did not answer (%(error)s).")
            % {"error": type(exc).__name__},
        )
        return "failed"
    except SoftTimeLimitExceeded:
        _plan_failed(plan_id, _("Building the PDF took too long. Try again in a moment."))
        return "failed"
    except Exception as exc:  # noqa: BLE001 - recorded on the plan for the owner, then logged
        logger.exception("Plan %s: the PDF could not be built", plan_id)
        _plan_failed(
            plan_id,
            _(
                "The PDF could not be built (%(error)s). Try again; if it fails again, the "
                "details are in the worker's log."
            )
            % {"error": type(exc).__name__},
        )
        return "failed"
    return "ready" if stored else "superseded"


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def requeue_pending_plans() -> int:
    """The sweep (Celery beat, every minute): queue again plans nobody is building."""
    return requeue_stale_plans()


# Publishing lives beside the task it publishes: the services call it, and this module
# imports no service that could import it back.
# Errors that mean "the broker is unreachable", raised by kombu/redis while publishing.
def _publish_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def publish_build(plan_id: int) -> bool:
    """Publish the build task now; False (logged) when the broker cannot be reached."""
    try:
        build_plan_pdf.delay(plan_id)
    except _publish_errors() as exc:
        logger.warning("Plan %s stays pending: the task broker is unreachable (%s)", plan_id, exc)
        return False
    return True


def enqueue_build(plan_id: int) -> None:
    """Like `build_plan_pdf.delay_on_commit(plan_id)`, but a broker outage is logged,
    not raised: the page that saved the plan still answers and the sweep retries."""
    transaction.on_commit(lambda: publish_build(plan_id))


def stale_plans(now: datetime | None = None):
    """Plans nobody is building: pending and not picked up for a minute, or processing
    for longer than a task may run (its worker was killed)."""
    now = now or timezone.now()
    killed_after = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return OffboardingPlan.objects.filter(
        Q(status=OffboardingPlan.Status.PENDING)
        & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_PENDING_AFTER))
        | Q(status=OffboardingPlan.Status.PROCESSING, updated__lt=now - killed_after)
    )


def requeue_stale_plans(now: datetime | None = None) -> int:
    """Publish the build task again for every stale plan; returns how many were published.

    Safe to run at any time and from several places: the task does nothing for a plan
    that is already ready, and `enqueued_at` moves on so the next sweep waits again.
    """
    now = now or timezone.now()
    published = 0
    for plan_id in stale_plans(now).values_list("pk", flat=True):
        # Both clocks restart, so the next sweep gives this publication its full time.
        OffboardingPlan.objects.filter(pk=plan_id).update(enqueued_at=now, updated=now)
        published += publish_build(plan_id)
    return published


# =============================================================================
# (Between reviews: the daily reminders.)
# =============================================================================

from assessments.services import reminders as reminder_services  # noqa: E402
from assessments.services import warnings as warning_services  # noqa: E402


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def send_daily_reminders() -> int:
    """The daily sweep (Celery beat): record what fell due, e-mail each owner once."""
    return reminder_services.send_reminders()


@shared_task(acks_late=True, soft_time_limit=1200, time_limit=1260)
def send_early_warnings() -> int:
    """The daily early warning (Celery beat): run the rules over every active client,
    record what newly points to Watch or Fire, e-mail each owner's digest as they chose."""
    return warning_services.send_warnings()


# =============================================================================
# (Evidence previews: a PDF's first page as PNG.)
# =============================================================================

from assessments.services.evidence_preview import build_preview  # noqa: E402


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def render_evidence_preview(evidence_id: int) -> str:
    """Render a PDF's first page for the incident page (pdftoppm, 10 s at most)."""
    return build_preview(evidence_id)


def publish_preview(evidence_id: int) -> bool:
    """Publish the preview task; False (logged) when the broker cannot be reached: the
    page then says the preview is being prepared, and the file can still be downloaded."""
    try:
        render_evidence_preview.delay(evidence_id)
    except _publish_errors() as exc:
        logger.warning("Evidence %s: preview not queued (%s)", evidence_id, exc)
        return False
    return True


# =============================================================================
# (Incident log exports: one client's log as PDF and CSV, issue 19.)
# =============================================================================

from assessments.models import LogExport  # noqa: E402
from assessments.services.log_export_build import build_log_files  # noqa: E402


def _export_failed(export: LogExport, reason: str) -> None:
    # Only a pending export fails: one a racing build finished stays ready.
    LogExport.objects.filter(pk=export.pk, status=LogExport.Status.PENDING).update(
        status=LogExport.Status.FAILED, last_error=reason[:1000], finished_at=timezone.now()
    )


@shared_task(**DOCUMENT_TASK)
def build_log_export(self, export_id: int) -> str:
    """Build a client's log export (PDF and CSV), the same lifecycle as `build_plan_pdf`.

    Re-fetches the export; does nothing unless it is pending (a re-delivery after a lost
    ack, or a second publication, finds it ready and leaves its files alone); builds and
    stores both files and marks it READY, or records why it FAILED in the owner's
    language. Returns "ready", "already ready", "missing" or "failed".
    """
    export = LogExport.objects.filter(pk=export_id).first()
    if export is None:
        return "missing"
    if export.status != LogExport.Status.PENDING:
        return "already ready" if export.status == LogExport.Status.READY else "failed"
    try:
        return build_log_files(export_id)
    except PLAN_TRANSIENT_ERRORS as exc:
        if self.request.retries < PLAN_MAX_RETRIES:
            raise  # autoretry_for queues it again, with backoff
        logger.exception("Log export %s: giving up after %s retries", export_id, PLAN_MAX_RETRIES)
        with translation.override(export.language):
            reason = _("The export could not be built: a service did not answer (%(error)s).") % {
                "error": type(exc).__name__
            }
    except SoftTimeLimitExceeded:
        with translation.override(export.language):
            reason = _("Building the export took too long. Ask for it again in a moment.")
    except Exception as exc:  # noqa: BLE001 - recorded on the export for the owner, then logged
        logger.exception("Log export %s could not be built", export_id)
        with translation.override(export.language):
            reason = _(
                "The export could not be built (%(error)s). Ask for it again; if it fails "
                "again, the details are in the worker's log."
            ) % {"error": type(exc).__name__}
    _export_failed(export, reason)
    return "failed"


def publish_log_export(export_id: int) -> bool:
    """Publish the export task; False (logged) when the broker cannot be reached: the export
    stays pending, and asking again a minute later publishes it again."""
    try:
        build_log_export.delay(export_id)
    except _publish_errors() as exc:
        logger.warning(
            "Log export %s stays pending: the broker is unreachable (%s)", export_id, exc
        )
        return False
    return True


def enqueue_log_export(export_id: int) -> None:
    """Publish the export task once the transaction that saved the export commits."""
    transaction.on_commit(lambda: publish_log_export(export_id))
