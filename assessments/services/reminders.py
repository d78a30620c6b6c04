"""Reminders: find the dates that fell due, record each once, and e-mail the owners once.

`send_reminders` is what the daily task and the `send_reminders` command run. It is
idempotent: a reminder's `key` is unique per business, and a reminder is e-mailed only
while its `emailed_at` is empty, claimed under a row lock so two runs never both send it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Business, Membership, User
from assessments.language import owner_language
from assessments.models import AbuseFlag, Assessment, Client, Invoice, OffboardingPlan, Reminder

Kind = Reminder.Kind


def business_today(business: Business) -> date:
    return timezone.localdate(timezone.now(), business.tzinfo)


def _cooling_off_over(business: Business, today: date) -> Iterable[Reminder]:
    # A Fire verdict whose cooling-off has ended and whose plan is not final yet.
    finalised = OffboardingPlan.objects.filter(
        assessment=OuterRef("pk"), finalised_at__isnull=False
    )
    assessments = (
        Assessment.objects.for_business(business)
        .filter(
            status=Assessment.Status.COMPLETE,
            verdict=Assessment.Verdict.FIRE,
            act_not_before__lte=today,
            client__status__in=[Client.Status.ACTIVE, Client.Status.UNDER_REVIEW],
        )
        .exclude(Exists(finalised))
        .only("pk", "client_id", "act_not_before")
    )
    for a in assessments:
        yield Reminder(
            business=business,
            client_id=a.client_id,
            kind=Kind.COOLING_OFF_OVER,
            key=f"{Kind.COOLING_OFF_OVER}:{a.pk}",
            due_on=a.act_not_before,
            path=reverse("assessments:assessment_detail", args=[a.pk]),
        )


def _flag_reviews(business: Business, today: date) -> Iterable[Reminder]:
    flags = (
        AbuseFlag.objects.for_business(business)
        .open()
        .filter(review_on__lte=today)
        .select_related("contact")
        .only("pk", "review_on", "contact__client_id")
    )
    for flag in flags:
        yield Reminder(
            business=business,
            client_id=flag.contact.client_id,
            kind=Kind.FLAG_REVIEW,
            key=f"{Kind.FLAG_REVIEW}:{flag.pk}:{flag.review_on}",
            due_on=flag.review_on,
            path=reverse("assessments:flag_list"),
        )


def _watch_reviews(business: Business, today: date) -> Iterable[Reminder]:
    # Only the client's latest review counts: a newer one has already looked again.
    newer = Assessment.objects.filter(client=OuterRef("client"), created__gt=OuterRef("created"))
    assessments = (
        Assessment.objects.for_business(business)
        .filter(
            status=Assessment.Status.COMPLETE,
            verdict=Assessment.Verdict.WATCH,
            review_on__lte=today,
            client__status__in=[Client.Status.ACTIVE, Client.Status.UNDER_REVIEW],
        )
        .exclude(Exists(newer))
        .only("pk", "client_id", "review_on")
    )
    for a in assessments:
        yield Reminder(
            business=business,
            client_id=a.client_id,
            kind=Kind.WATCH_REVIEW,
            key=f"{Kind.WATCH_REVIEW}:{a.pk}",
            due_on=a.review_on,
            path=reverse("assessments:assessment_detail", args=[a.pk]),
        )


def _notice_and_open_invoices(business: Business, today: date) -> Iterable[Reminder]:
    open_invoices = Invoice.objects.filter(client=OuterRef("client"), paid_on__isnull=True)
    plans = (
        OffboardingPlan.objects.for_business(business)
        .filter(finalised_at__isnull=False, exit_recorded_at__isnull=True)
        .annotate(has_open=Exists(open_invoices))
        .only("pk", "client_id", "notice_kind", "notice_days", "work_ends_on", "announce_on")
    )
    for plan in plans:
        ends = plan.notice_ends_on
        if ends > today:
            continue
        path = reverse("assessments:plan_detail", args=[plan.pk])
        yield Reminder(
            business=business,
            client_id=plan.client_id,
            kind=Kind.NOTICE_ENDS,
            key=f"{Kind.NOTICE_ENDS}:{plan.pk}:{ends}",
            due_on=ends,
            path=path,
        )
        if plan.has_open:
            yield Reminder(
                business=business,
                client_id=plan.client_id,
                kind=Kind.OPEN_INVOICES,
                key=f"{Kind.OPEN_INVOICES}:{plan.pk}",
                due_on=ends,
                path=reverse("assessments:client_detail", args=[plan.client_id]),
            )


SOURCES = (_cooling_off_over, _flag_reviews, _watch_reviews, _notice_and_open_invoices)


def due_reminders(business: Business, today: date | None = None) -> list[Reminder]:
    """Every reminder due in the business on `today` (unsaved): a fixed number of queries."""
    today = today or business_today(business)
    return [reminder for source in SOURCES for reminder in source(business, today)]


def record_reminders(business: Business, today: date | None = None) -> int:
    """Save the due reminders not recorded before; returns how many are new."""
    due = due_reminders(business, today)
    if not due:
        return 0
    known = set(
        Reminder.objects.for_business(business)
        .filter(key__in=[r.key for r in due])
        .values_list("key", flat=True)
    )
    new = [r for r in due if r.key not in known]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _owners(business: Business) -> list[User]:
    return list(
        User.objects.filter(
            memberships__business=business,
            memberships__role=Membership.Role.OWNER,
            is_active=True,
        )
        .exclude(email="")
        .order_by("email")
        .distinct()
    )


def email_reminders(business: Business) -> int:
    """E-mail each owner the reminders not sent yet, in one message; returns messages sent."""
    with transaction.atomic():
        pending = list(
            Reminder.objects.for_business(business)
            .filter(emailed_at__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("client")
            .order_by("due_on", "id")
        )
        if not pending:
            return 0
        owners = _owners(business)
        context = {
            "business": business,
            "reminders": [(r, settings.SITE_URL + r.path) for r in pending],
            "list_link": settings.SITE_URL + reverse("assessments:reminder_list"),
        }
        messages = []
        for owner in owners:
            # Each owner reads it in their own language (their profile's, else the business's).
            language = owner_language(owner, business)
            with translation.override(language), timezone.override(business.tzinfo):
                subject = " ".join(
                    render_to_string("emails/reminders_subject.txt", context).split()
                )[:200]
                body = render_to_string("emails/reminders.txt", context)
            messages.append(EmailMessage(subject, body, to=[owner.email]))
        if messages:
            get_connection().send_messages(messages)
        Reminder.objects.filter(pk__in=[r.pk for r in pending]).update(emailed_at=timezone.now())
    return len(messages)


def send_reminders(businesses=None) -> int:
    """Record and e-mail what fell due, for every business (or those given)."""
    sent = 0
    for business in businesses if businesses is not None else Business.objects.order_by("pk"):
        record_reminders(business)
        sent += email_reminders(business)
    return sent
