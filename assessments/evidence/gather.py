"""Loading one client's evidence from the database, in a fixed number of queries.

On top of `client_figures` (a fixed number of its own), this runs six: the
thresholds, two over invoices, one over incidents, and the abuse flags and the
incidents they cite (two, always). The number
does not grow with the size of the record: lists are capped, counts are
aggregates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from assessments.evidence.inputs import (
    ClientInfo,
    EvidenceInput,
    FlagRef,
    IncidentRef,
    InvoiceRef,
    Lateness,
    Thresholds,
)
from assessments.figures import WINDOW_DAYS, _days_late, _window_start, client_figures
from assessments.models import AbuseFlag, Client, EvidenceThresholds, Incident, Invoice

# The latest incidents read for links and severities; counts come from the figures.
MAX_INCIDENTS = 200
MAX_INVOICES = 100
MAX_FLAGS = 50


def _thresholds(client: Client) -> Thresholds:
    return Thresholds.from_model(EvidenceThresholds.for_business(client.business))


def _invoices(
    client: Client, thresholds: Thresholds, today: date
) -> tuple[Lateness, tuple[InvoiceRef, ...]]:
    # The same payment scope and lateness as `figures`, so the counts agree with it.
    scope = Q(issued_on__gt=_window_start(today)) | Q(paid_on__isnull=True)
    counted = Q(paid_on__isnull=False) | Q(due_on__lt=today)
    open_overdue = Q(paid_on__isnull=True, due_on__lt=today)
    severe = counted & Q(late__gte=thresholds.late_severe_days)
    invoices = (
        Invoice.objects.filter(business_id=client.business_id, client=client)
        .filter(scope)
        .annotate(late=_days_late(today))
    )
    totals = invoices.aggregate(
        counted=Count("id", filter=counted),
        severe=Count("id", filter=severe),
        open_overdue=Count("id", filter=open_overdue),
    )
    late_enough = max(1, min(thresholds.late_average_days, thresholds.late_severe_days))
    notable = (
        invoices.filter(
            Q(disputed=True)
            | Q(discount_pushed__gt=0)
            | open_overdue
            | (counted & Q(late__gte=late_enough))
        )
        .order_by("-issued_on", "-id")
        .values("id", "number", "late", "disputed", "discount_pushed", "paid_on", "due_on")[
            :MAX_INVOICES
        ]
    )
    refs = tuple(
        InvoiceRef(
            id=row["id"],
            number=row["number"],
            days_late=max(0, row["late"] or 0),
            disputed=row["disputed"],
            discount=row["discount_pushed"],
            open_overdue=row["paid_on"] is None and row["due_on"] < today,
        )
        for row in notable
    )
    return Lateness(**totals), refs


def _incidents(client: Client, now: datetime) -> tuple[IncidentRef, ...]:
    rows = (
        Incident.objects.filter(
            business_id=client.business_id,
            client=client,
            occurred_at__gt=now - timedelta(days=WINDOW_DAYS),
        )
        # "Something else" evidences no flag unless it happened outside agreed hours.
        .filter(~Q(category=Incident.Category.OTHER) | Q(outside_hours=True))
        .order_by("-occurred_at", "-id")
        .values(
            "id",
            "number",
            "category",
            "severity",
            "occurred_at",
            "outside_hours",
            "contact__name",
        )[:MAX_INCIDENTS]
    )
    return tuple(
        IncidentRef(
            id=row["id"],
            number=row["number"],
            category=row["category"],
            severity=row["severity"],
            occurred_at=row["occurred_at"],
            outside_hours=row["outside_hours"],
            contact_name=row["contact__name"] or "",
        )
        for row in rows
    )


def _flags(client: Client) -> tuple[FlagRef, ...]:
    # Dates of raising and clearing are the business's calendar dates.
    tz = client.business.tzinfo
    flags = list(
        AbuseFlag.objects.filter(business_id=client.business_id, contact__client=client)
        .select_related("contact")
        .order_by("-raised_at", "-id")[:MAX_FLAGS]
    )
    # The links are read by client, not by the flags' ids, so this query runs even when
    # there is no flag: the page costs the same whatever the record (a prefetch would not).
    shows: dict[int, list[tuple[int, int]]] = {}
    for flag_id, incident_id, number in (
        AbuseFlag.incidents.through.objects.filter(
            abuseflag__business_id=client.business_id, abuseflag__contact__client=client
        )
        .order_by("incident__number")
        .values_list("abuseflag_id", "incident_id", "incident__number")
    ):
        shows.setdefault(flag_id, []).append((incident_id, number))
    return tuple(
        FlagRef(
            id=flag.pk,
            contact_id=flag.contact_id,
            contact_name=flag.contact.name,
            raised_at=timezone.localtime(flag.raised_at, tz),
            cleared_at=timezone.localtime(flag.cleared_at, tz) if flag.cleared_at else None,
            incidents=tuple(shows.get(flag.pk, ())),
        )
        for flag in flags
    )


def gather(client: Client, *, today: date | None = None) -> EvidenceInput:
    """Everything the evidence rules read about one client: `client_figures` plus six
    queries (one more if `client.business` is not loaded yet).

    Incident windows run back from now, as in `figures`; money windows from `today`.
    """
    business = client.business
    now = timezone.now()
    today = today or timezone.localdate(now, timezone=business.tzinfo)
    thresholds = _thresholds(client)
    figures = client_figures(client, today=today)
    lateness, invoices = _invoices(client, thresholds, today)
    return EvidenceInput(
        client=ClientInfo(
            id=client.pk,
            name=client.name,
            since=client.client_since,
            referrals_sent=client.referrals_sent,
            long_standing=client.long_standing,
            billing_model=client.billing_model,
        ),
        currency=business.currency,
        figures=figures,
        thresholds=thresholds,
        today=today,
        now=now,
        lateness=lateness,
        incidents=_incidents(client, now),
        invoices=invoices,
        flags=_flags(client),
    )
