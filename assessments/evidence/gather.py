"""Loading one client's evidence from the database, in a fixed number of queries.

On top of `client_figures` (one query), this runs five: the thresholds (none when
the caller loaded them with `select_related("business__evidence_thresholds")`), the
notable invoices, the incidents, the abuse flags with the incidents they cite, and the
latest deliveries.
The number does not grow with the size of the record: lists are capped, counts are
aggregates.

`gather_many` does the same for many clients of one business (the early warning runs
the rules over every active client): the same queries, each once for all of them, read
in client order and handed out one client at a time, so the number of queries does not
grow with the number of clients either, and memory holds one client's rows at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Business
from assessments.evidence.inputs import (
    ClientInfo,
    DeliveryRef,
    EvidenceInput,
    FlagRef,
    IncidentRef,
    InvoiceRef,
    Lateness,
    Thresholds,
)
from assessments.evidence.rules import NEVER_EXPIRE
from assessments.figures import WINDOW_DAYS, client_figures, definitions, with_figures
from assessments.models import (
    AbuseFlag,
    Client,
    Delivery,
    EvidenceThresholds,
    Incident,
    Invoice,
)

# The latest incidents read for links and severities; counts come from the figures.
MAX_INCIDENTS = 200
MAX_INVOICES = 100
MAX_FLAGS = 50
# The latest deliveries read: the rules look at the last few (see `rules.DELIVERIES_LOOKED_AT`).
MAX_DELIVERIES = 10


def _thresholds(client: Client) -> Thresholds:
    return Thresholds.from_model(EvidenceThresholds.for_business(client.business))


INVOICE_FIELDS = ("id", "number", "late", "disputed", "discount_pushed", "paid_on", "due_on")
INCIDENT_FIELDS = (
    "id",
    "number",
    "category",
    "severity",
    "occurred_at",
    "outside_hours",
    "contact__name",
    "delivery_id",
)
DELIVERY_FIELDS = ("id", "delivered_on")
FLAG_FIELDS = (
    "id",
    "contact_id",
    "contact__name",
    "raised_at",
    "cleared_at",
    "incidents__id",
    "incidents__number",
)


def _notable_invoices(invoices: QuerySet, thresholds: Thresholds, today: date) -> QuerySet:
    # The same payment scope and lateness as `figures`, so the links agree with its counts.
    scope = definitions.payment_scope(today)
    counted = definitions.counted_late(today)
    open_overdue = definitions.overdue(today)
    late_enough = max(1, min(thresholds.late_average_days, thresholds.late_severe_days))
    return (
        invoices.filter(scope)
        .annotate(late=definitions.days_late(today))
        .filter(
            Q(disputed=True)
            | Q(discount_pushed__gt=0)
            | open_overdue
            | (counted & Q(late__gte=late_enough))
        )
        .order_by("-issued_on", "-id")
    )


def _invoice_refs(rows, today: date) -> tuple[InvoiceRef, ...]:
    return tuple(
        InvoiceRef(
            id=row["id"],
            number=row["number"],
            days_late=max(0, row["late"] or 0),
            disputed=row["disputed"],
            discount=row["discount_pushed"],
            open_overdue=row["paid_on"] is None and row["due_on"] < today,
        )
        for row in rows
    )


def _invoices(client: Client, thresholds: Thresholds, today: date) -> tuple[InvoiceRef, ...]:
    invoices = Invoice.objects.filter(business_id=client.business_id, client=client)
    rows = _notable_invoices(invoices, thresholds, today).values(*INVOICE_FIELDS)[:MAX_INVOICES]
    return _invoice_refs(rows, today)


def _incidents(client: Client, now: datetime) -> tuple[IncidentRef, ...]:
    incidents = Incident.objects.filter(business_id=client.business_id, client=client)
    return _incident_refs(
        _telling_incidents(incidents, now).values(*INCIDENT_FIELDS)[:MAX_INCIDENTS]
    )


def _telling_incidents(incidents: QuerySet, now: datetime) -> QuerySet:
    # The window's incidents and every deal-breaker incident however old (they never
    # expire), deal-breakers first so the cap never drops one, then newest first.
    deal_breaker = Q(category__in=NEVER_EXPIRE)
    return (
        incidents.filter(Q(occurred_at__gt=now - timedelta(days=WINDOW_DAYS)) | deal_breaker)
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
    )


def _incident_refs(rows) -> tuple[IncidentRef, ...]:
    return tuple(
        IncidentRef(
            id=row["id"],
            number=row["number"],
            category=row["category"],
            severity=row["severity"],
            occurred_at=row["occurred_at"],
            outside_hours=row["outside_hours"],
            contact_name=row["contact__name"] or "",
            delivery_id=row["delivery_id"],
        )
        for row in rows
    )


def _recent_deliveries(deliveries: QuerySet, today: date) -> QuerySet:
    since = today - timedelta(days=WINDOW_DAYS)
    return deliveries.filter(delivered_on__gt=since, delivered_on__lte=today).order_by(
        "-delivered_on", "-id"
    )


def _delivery_refs(rows) -> tuple[DeliveryRef, ...]:
    return tuple(DeliveryRef(id=row["id"], delivered_on=row["delivered_on"]) for row in rows)


def _deliveries(client: Client, today: date) -> tuple[DeliveryRef, ...]:
    deliveries = Delivery.objects.filter(business_id=client.business_id, client=client)
    return _delivery_refs(
        _recent_deliveries(deliveries, today).values(*DELIVERY_FIELDS)[:MAX_DELIVERIES]
    )


def _flags(client: Client) -> tuple[FlagRef, ...]:
    # One row per (flag, incident it cites), flags citing none included (an outer join):
    # one query whatever the record.
    rows = (
        AbuseFlag.objects.filter(business_id=client.business_id, contact__client=client)
        .order_by("-raised_at", "-id", "incidents__number")
        .values(*FLAG_FIELDS)[: MAX_FLAGS * 20]
    )
    return _flag_refs(rows, client.business)


def _flag_refs(rows, business: Business) -> tuple[FlagRef, ...]:
    tz = business.tzinfo
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
    """Everything the evidence rules read about one client: six queries, or five when
    the thresholds were loaded with the client (one more if `client.business` was not).

    Incident windows run back from now, as in `figures`; money windows from `today`.
    """
    business = client.business
    now = timezone.now()
    today = today or timezone.localdate(now, timezone=business.tzinfo)
    thresholds = _thresholds(client)
    return _input(
        client,
        thresholds,
        today,
        now,
        invoices=_invoices(client, thresholds, today),
        incidents=_incidents(client, now),
        flags=_flags(client),
        deliveries=_deliveries(client, today),
    )


def _input(
    client: Client,
    thresholds: Thresholds,
    today: date,
    now: datetime,
    *,
    invoices: tuple[InvoiceRef, ...],
    incidents: tuple[IncidentRef, ...],
    flags: tuple[FlagRef, ...],
    deliveries: tuple[DeliveryRef, ...],
) -> EvidenceInput:
    business = client.business
    figures = client_figures(
        client, today=today, recent_invoices=0, severe_days=thresholds.late_severe_days
    )
    lateness = Lateness(
        counted=figures.counted_late, severe=figures.severe_late, open_overdue=figures.open_overdue
    )
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
        incidents=incidents,
        invoices=invoices,
        flags=flags,
        deliveries=deliveries,
    )


def _by_client(rows, key: str) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    return ((client_id, list(group)) for client_id, group in groupby(rows, lambda r: r[key]))


class _Cursor:
    """Rows ordered by client id, handed out one client's at a time (as the clients are
    walked in the same order, each stream is read once, front to back)."""

    def __init__(self, rows, key: str) -> None:
        self._groups = _by_client(rows, key)
        self._next: tuple[int, list[dict[str, Any]]] | None = next(self._groups, None)

    def take(self, client_id: int) -> list[dict[str, Any]]:
        while self._next is not None and self._next[0] < client_id:
            self._next = next(self._groups, None)
        if self._next is not None and self._next[0] == client_id:
            rows, self._next = self._next[1], next(self._groups, None)
            return rows
        return []


def gather_many(
    business: Business, clients: QuerySet[Client], *, today: date | None = None
) -> Iterator[EvidenceInput]:
    """`gather` for each of `clients` (of `business`), in id order: seven queries in all,
    whatever the number of clients (each list is still capped per client)."""
    now = timezone.now()
    today = today or timezone.localdate(now, timezone=business.tzinfo)
    thresholds = Thresholds.from_model(EvidenceThresholds.for_business(business))
    chosen = clients.filter(business=business).values("pk")
    invoices = _notable_invoices(
        Invoice.objects.filter(business=business, client__in=chosen), thresholds, today
    )
    incidents = _telling_incidents(
        Incident.objects.filter(business=business, client__in=chosen), now
    )
    flags = AbuseFlag.objects.filter(business=business, contact__client__in=chosen)
    deliveries = _recent_deliveries(
        Delivery.objects.filter(business=business, client__in=chosen), today
    )
    streams = {
        "deliveries": _Cursor(
            deliveries.order_by("client_id", *deliveries.query.order_by)
            .values("client_id", *DELIVERY_FIELDS)
            .iterator(chunk_size=2000),
            "client_id",
        ),
        "invoices": _Cursor(
            invoices.order_by("client_id", *invoices.query.order_by)
            .values("client_id", *INVOICE_FIELDS)
            .iterator(chunk_size=2000),
            "client_id",
        ),
        "incidents": _Cursor(
            incidents.order_by("client_id", *incidents.query.order_by)
            .values("client_id", *INCIDENT_FIELDS)
            .iterator(chunk_size=2000),
            "client_id",
        ),
        "flags": _Cursor(
            flags.order_by("contact__client_id", "-raised_at", "-id", "incidents__number")
            .values("contact__client_id", *FLAG_FIELDS)
            .iterator(chunk_size=2000),
            "contact__client_id",
        ),
    }
    annotated = with_figures(
        clients.filter(business=business).select_related("business").order_by("pk"),
        today=today,
        severe_days=thresholds.late_severe_days,
        now=now,
    )
    for client in annotated.iterator(chunk_size=500):
        yield _input(
            client,
            thresholds,
            today,
            now,
            invoices=_invoice_refs(streams["invoices"].take(client.pk)[:MAX_INVOICES], today),
            incidents=_incident_refs(streams["incidents"].take(client.pk)[:MAX_INCIDENTS]),
            flags=_flag_refs(streams["flags"].take(client.pk)[: MAX_FLAGS * 20], business),
            deliveries=_delivery_refs(streams["deliveries"].take(client.pk)[:MAX_DELIVERIES]),
        )
