"""Loading one client's evidence from the database, in a fixed number of queries.

On top of `client_figures` (one query), this runs four: the thresholds (none when
the caller loaded them with `select_related("business__evidence_thresholds")`), the
notable invoices, the incidents, and the abuse flags with the incidents they cite.
The number does not grow with the size of the record: lists are capped, counts are
aggregates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Case, IntegerField, Q, Value, When
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
from assessments.evidence.rules import NEVER_EXPIRE
from assessments.figures import WINDOW_DAYS, client_figures, definitions
from assessments.models import AbuseFlag, Client, EvidenceThresholds, Incident, Invoice

# The latest incidents read for links and severities; counts come from the figures.
MAX_INCIDENTS = 200
MAX_INVOICES = 100
MAX_FLAGS = 50


def _thresholds(client: Client) -> Thresholds:
    return Thresholds.from_model(EvidenceThresholds.for_business(client.business))


def _invoices(client: Client, thresholds: Thresholds, today: date) -> tuple[InvoiceRef, ...]:
    # The same payment scope and lateness as `figures`, so the links agree with its counts.
    scope = definitions.payment_scope(today)
    counted = definitions.counted_late(today)
    open_overdue = definitions.overdue(today)
    late_enough = max(1, min(thresholds.late_average_days, thresholds.late_severe_days))
    notable = (
        Invoice.objects.filter(business_id=client.business_id, client=client)
        .filter(scope)
        .annotate(late=definitions.days_late(today))
        .filter(
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
    return tuple(
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


def _incidents(client: Client, now: datetime) -> tuple[IncidentRef, ...]:
    # The window's incidents and every deal-breaker incident however old (they never
    # expire), deal-breakers first so the cap never drops one, then newest first.
    deal_breaker = Q(category__in=NEVER_EXPIRE)
    rows = (
        Incident.objects.filter(business_id=client.business_id, client=client)
        .filter(Q(occurred_at__gt=now - timedelta(days=WINDOW_DAYS)) | deal_breaker)
        # "Something else" evidences no flag unless it happened outside agreed hours.
        .filter(~Q(category=Incident.Category.OTHER) | Q(outside_hours=True))
        # Extra work billed to the client is no evidence against them.
        .filter(definitions.counts_against_client())
        .annotate(
            first=Case(
                When(deal_breaker, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("first", "-occurred_at", "-id")
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
    # One row per (flag, incident it cites), flags citing none included (an outer join):
    # one query whatever the record.
    tz = client.business.tzinfo
    rows = (
        AbuseFlag.objects.filter(business_id=client.business_id, contact__client=client)
        .order_by("-raised_at", "-id", "incidents__number")
        .values(
            "id",
            "contact_id",
            "contact__name",
            "raised_at",
            "cleared_at",
            "incidents__id",
            "incidents__number",
        )[: MAX_FLAGS * 20]
    )
    flags: dict[int, dict] = {}
    for row in rows:
        flag = flags.setdefault(row["id"], {**row, "shows": []})
        if row["incidents__id"] is not None:
            flag["shows"].append((row["incidents__id"], row["incidents__number"]))
    return tuple(
        FlagRef(
            id=flag["id"],
            contact_id=flag["contact_id"],
            contact_name=flag["contact__name"],
            raised_at=timezone.localtime(flag["raised_at"], tz),
            cleared_at=timezone.localtime(flag["cleared_at"], tz) if flag["cleared_at"] else None,
            incidents=tuple(flag["shows"]),
        )
        for flag in list(flags.values())[:MAX_FLAGS]
    )


def gather(client: Client, *, today: date | None = None) -> EvidenceInput:
    """Everything the evidence rules read about one client: five queries, or four when
    the thresholds were loaded with the client (one more if `client.business` was not).

    Incident windows run back from now, as in `figures`; money windows from `today`.
    """
    business = client.business
    now = timezone.now()
    today = today or timezone.localdate(now, timezone=business.tzinfo)
    thresholds = _thresholds(client)
    figures = client_figures(
        client, today=today, recent_invoices=0, severe_days=thresholds.late_severe_days
    )
    lateness = Lateness(
        counted=figures.counted_late, severe=figures.severe_late, open_overdue=figures.open_overdue
    )
    invoices = _invoices(client, thresholds, today)
    return EvidenceInput(
        client=ClientInfo(
            id=client.pk,
            name=client.name,
            since=client.client_since,
            referrals_sent=client.referrals_sent,
            long_standing=client.long_standing,
            billing_model=client.billing_model,
            has_written_contract=client.has_written_contract,
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
