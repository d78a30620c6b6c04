"""Read queries behind the client list and the client page, in a fixed number of queries.

Sorting by money happens in the database (correlated subqueries on the
(business, client, ...) indexes), so pagination stays right at 10,000 clients;
the definitions are those of `assessments.figures.definitions`, so a list sorted by "days late"
is in the order of the figures it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from heapq import merge
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Business
from assessments import figures
from assessments.figures import definitions
from assessments.models import (
    AbuseFlag,
    Assessment,
    Client,
    Contact,
    Delivery,
    Expense,
    Incident,
    Invoice,
    TimeEntry,
)
from clientreview.lib.text import fold

TIMELINE_STEP = 50
TIMELINE_MAX_PAGES = 20

_STATUS_RANK = Case(
    *[When(status=status, then=Value(rank)) for rank, status in enumerate(Client.Status.values)],
    default=Value(99),
    output_field=IntegerField(),
)


def _total(qs: QuerySet, aggregate: Any) -> Coalesce:
    """A per-client total as a correlated subquery; 0 when the client has no rows."""
    rows = qs.order_by().values("client").annotate(total=aggregate).values("total")[:1]
    return Coalesce(Subquery(rows), Value(figures.ZERO), output_field=figures.MONEY)


def money_expression(key: str, business: Business, today: date) -> Any:
    """The database expression for one of the money sorts of the client list."""
    invoices = Invoice.objects.filter(business=business, client=OuterRef("pk"))
    time = TimeEntry.objects.filter(
        definitions.time_in_window(today), business=business, client=OuterRef("pk")
    )
    revenue = _total(invoices.filter(definitions.issued_in_window(today)), Sum("amount"))
    if key == "revenue":
        return revenue
    if key == "open_balance":
        return _total(invoices.filter(paid_on__isnull=True), Sum("amount"))
    if key == "profit":
        spent = Expense.objects.filter(
            definitions.expense_in_window(today), business=business, client=OuterRef("pk")
        )
        cost = _total(time, definitions.CentsToMoney(Sum(definitions.time_cost_cents()))) + _total(
            spent, definitions.CentsToMoney(Sum(definitions.expense_cents()))
        )
        return ExpressionWrapper(revenue - cost, output_field=figures.MONEY)
    if key == "days_late":
        rows = (
            invoices.filter(definitions.counted_late(today))
            .order_by()
            .values("client")
            .annotate(avg=Avg(definitions.days_late(today)))
            .values("avg")[:1]
        )
        return Subquery(rows)
    raise ValueError(f"unknown money sort {key!r}")


def sorted_clients(
    clients: QuerySet[Client], sort: str, business: Business, today: date | None = None
) -> QuerySet[Client]:
    """Order the list; every order ends on name and id so pages never overlap."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "name":
        return clients.order_by("-name", "-id") if descending else clients.order_by("name", "id")
    if key == "status":
        return clients.annotate(status_rank=_STATUS_RANK).order_by("status_rank", "name", "id")
    if key == "since":
        field = "-client_since" if descending else "client_since"
        return clients.order_by(field, "name", "id")
    value = money_expression(key, business, today or timezone.localdate())
    order = (
        F("sort_value").desc(nulls_last=True)
        if descending
        else F("sort_value").asc(nulls_last=True)
    )
    return clients.annotate(sort_value=value).order_by(order, "name", "id")


# A contact search that matches more clients than this is too broad to list anyway.
CONTACT_MATCHES = 200


def named(clients: QuerySet[Client], search: str) -> QuerySet[Client]:
    """The clients whose name holds `search`, case and accents aside (`fold`)."""
    return clients.filter(search_name__contains=fold(search))


def find_clients(business: Business, search: str, limit: int) -> QuerySet[Client]:
    """Up to `limit` clients whose name, or a contact's, holds `search` (case and accents
    aside); names that start with it first, then by name.

    Both name conditions are `search_name LIKE '%…%'`, which the trigram indexes of
    migration 0012 serve on PostgreSQL; the contacts are capped at `CONTACT_MATCHES`
    (a search that broad is too broad to list anyway).
    """
    folded = fold(search)
    # Each name condition in a subquery of its own, so each is served by its own index
    # (an OR of a column condition and a subquery makes PostgreSQL scan the clients).
    by_name = Client.objects.filter(business=business, search_name__contains=folded).values("pk")
    by_contact = (
        Contact.objects.filter(business=business, search_name__contains=folded)
        .order_by()
        .values("client_id")[:CONTACT_MATCHES]
    )
    return (
        Client.objects.filter(business=business)
        .filter(Q(pk__in=by_name) | Q(pk__in=by_contact))
        .annotate(rank=Case(When(search_name__startswith=folded, then=0), default=1))
        .order_by("rank", "name", "pk")
        .only("pk", "name", "status")[:limit]
    )


def with_warnings(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Each client's open abuse flags (on any contact) and its latest completed verdict."""
    open_flags = (
        AbuseFlag.objects.filter(contact__client=OuterRef("pk"), cleared_at__isnull=True)
        .order_by()
        .values("contact__client")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    verdict = (
        Assessment.objects.filter(client=OuterRef("pk"), status=Assessment.Status.COMPLETE)
        .order_by("-completed_at", "-id")
        .values("verdict")[:1]
    )
    return clients.annotate(
        open_flags=Coalesce(Subquery(open_flags), Value(0), output_field=IntegerField()),
        latest_verdict=Subquery(verdict),
    )


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "incident", "invoice" or "time"
    day: date
    moment: datetime
    obj: Any

    @property
    def sort_key(self) -> tuple[date, datetime]:
        return (self.day, self.moment)

    @property
    def duration(self) -> str:
        return format_minutes(self.obj.minutes) if self.kind == "time" else ""


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    if not rest:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)02d min") % {"h": hours, "m": rest}


def timeline_page(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), TIMELINE_MAX_PAGES)
    except ValueError:
        return 1


def timeline(
    client: Client, *, page: int = 1, with_invoices: bool
) -> tuple[list[TimelineItem], bool]:
    """Incidents, invoices (owners only) and time, newest first: the latest `page` * 50.

    Each source is cut at the same limit before merging, so the query count is fixed
    however long the record: no source can contribute more than the limit.
    """
    limit = page * TIMELINE_STEP
    business = client.business_id
    incidents = Incident.objects.filter(business=business, client=client).select_related(
        "contact", "recorded_by", "delivery"
    )[: limit + 1]
    sources = [
        [
            TimelineItem("incident", timezone.localtime(i.occurred_at).date(), i.occurred_at, i)
            for i in incidents
        ],
        [
            TimelineItem("time", t.date, t.created, t)
            for t in TimeEntry.objects.filter(business=business, client=client)
            .select_related("user")
            .order_by("-date", "-created", "-id")[: limit + 1]
        ],
    ]
    if with_invoices:
        sources.append(
            [
                TimelineItem("invoice", inv.issued_on, inv.created, inv)
                for inv in Invoice.objects.filter(business=business, client=client).order_by(
                    "-issued_on", "-created", "-id"
                )[: limit + 1]
            ]
        )
    merged = list(merge(*sources, key=lambda item: item.sort_key, reverse=True))
    return merged[:limit], len(merged) > limit


def incident_rows(numbers: figures.ClientFigures) -> list[tuple[str, int, int]]:
    """(category label, last 90 days, last 12 months), most frequent first."""
    rows = [
        (str(Incident.Category(key).label), numbers.incidents_90d.get(key, 0), count)
        for key, count in numbers.incidents_12m.items()
        if key in Incident.Category.values
    ]
    return sorted(rows, key=lambda row: (-row[2], -row[1], row[0]))


def aging_rows(numbers: figures.ClientFigures) -> list[tuple[str, Any]]:
    """Open receivables by how late they are, labelled for people."""
    labels = {
        "current": _("Not yet due"),
        "1-30": _("1 to 30 days late"),
        "31-60": _("31 to 60 days late"),
        "61-90": _("61 to 90 days late"),
        "91-120": _("91 to 120 days late"),
        "120+": _("More than 120 days late"),
    }
    return [
        (labels[key], numbers.aging.get(key, figures.ZERO)) for key, _l, _h in figures.AGING_BUCKETS
    ]


def deliveries_of(client: Client) -> QuerySet[Delivery]:
    """The client's deliveries, newest first, each with `incident_count`: the incidents
    that say they were about it (counted per row shown, in a subquery, as the incident
    list counts evidence: a join and GROUP BY would count them for every delivery)."""
    about_it = (
        Incident.objects.filter(delivery=OuterRef("pk"))
        .order_by()
        .values("delivery")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Delivery.objects.filter(business=client.business_id, client=client)
        .select_related("invoice", "recorded_by")
        .annotate(incident_count=Coalesce(Subquery(about_it, output_field=IntegerField()), 0))
        .order_by("-delivered_on", "-created", "-id")
    )
