"""One client's detailed figures in a single query.

Each table contributes one correlated subquery that returns a JSON object of
conditional aggregates (every month, every aging bucket, every incident
category), so the client page, the evidence step and the plan stay within their
query budget however long the record is. Sums travel as text so that money stays
exact on every database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    CharField,
    Count,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from assessments.figures import definitions as d
from assessments.figures.definitions import RECENT_DAYS, WINDOW_DAYS, DaysBetween
from assessments.figures.summary import AGING_BUCKETS, Summary, out_of_hours
from assessments.models import Client, Expense, Incident, Invoice, TimeEntry
from assessments.models.incidents import SEVERITY_WEIGHT


@dataclass(frozen=True)
class InvoiceLateness:
    invoice_id: int
    number: str
    issued_on: date
    due_on: date
    paid_on: date | None
    amount: Decimal
    days_late: int
    disputed: bool


@dataclass(frozen=True)
class ClientFigures:
    """Everything the client page, the evidence rules and the plan read about one client."""

    client_id: int
    today: date
    summary: Summary
    business_revenue: Decimal
    months: list[date] = field(default_factory=list)
    revenue_by_month: list[Decimal] = field(default_factory=list)
    cost_by_month: list[Decimal] = field(default_factory=list)
    aging: dict[str, Decimal] = field(default_factory=dict)
    incidents_90d: dict[str, int] = field(default_factory=dict)
    incidents_12m: dict[str, int] = field(default_factory=dict)
    out_of_hours_90d: int = 0
    out_of_hours_12m: int = 0
    recent_invoices: list[InvoiceLateness] = field(default_factory=list)
    # Invoices paid or past due (lateness is averaged over these), those at least
    # `severe_days` late, and those unpaid past their due date.
    counted_late: int = 0
    severe_late: int = 0
    open_overdue: int = 0

    @property
    def share(self) -> Decimal | None:
        return self.summary.share

    @property
    def share_percent(self) -> int | None:
        if self.summary.share is None:
            return None
        return int((self.summary.share * 100).to_integral_value())


def month_starts(today: date, count: int = 12) -> list[date]:
    """The first day of each of the last `count` months, oldest first, this month last."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _text(expression) -> Cast:
    return Cast(expression, output_field=CharField())


def _json_subquery(model, json: JSONObject, only: tuple[int, int] | None, **filters):
    """`model`'s JSON of conditional aggregates for each client of the outer query, or,
    with `only` (business id, client id), for that one client.

    For one client the ORM compiles the aggregates once and they are nested as SQL: as a
    Subquery the ORM would resolve, copy and relabel its hundred-odd filtered aggregates a
    second time when nesting it, about half of what building the client page's or the
    plan's figures query costs in Python (25-35 ms at each view).
    """
    if only is None:
        scope: dict = {"business_id": OuterRef("business_id"), "client": OuterRef("pk")}
    else:
        scope = {"business_id": only[0], "client_id": only[1]}
    rows = (
        model.objects.filter(**scope, **filters)
        .order_by()
        .values("client")
        .annotate(j=json)
        .values("j")
    )
    if only is None:
        return Subquery(rows)
    sql, params = rows.query.sql_with_params()
    # The SQL is the ORM's own compilation; every value in it is a parameter.
    return RawSQL(sql, params, output_field=JSONField())  # noqa: S611


def _invoice_json(today: date, months: list[date], severe_days: int) -> JSONObject:
    in_window = d.issued_in_window(today)
    payment_scope = d.payment_scope(today)
    counted_late = d.counted_late(today)
    days_late = d.days_late(today)
    fields = {
        "revenue": _text(Sum("amount", filter=in_window)),
        "open_balance": _text(Sum("amount", filter=Q(paid_on__isnull=True))),
        "overdue_balance": _text(Sum("amount", filter=d.overdue(today))),
        "invoices": Count("id", filter=payment_scope),
        "paid_invoices": Count("id", filter=payment_scope & Q(paid_on__isnull=False)),
        "late_invoices": Count(
            "id",
            filter=counted_late & Q(due_on__lt=Coalesce("paid_on", d.today_value(today))),
        ),
        "disputed_invoices": Count("id", filter=payment_scope & Q(disputed=True)),
        "discounts": Count("id", filter=payment_scope & Q(discount_pushed__gt=0)),
        "discount_total": _text(Sum("discount_pushed", filter=payment_scope)),
        "avg_to_pay": _text(
            Avg(
                DaysBetween("paid_on", "issued_on"), filter=payment_scope & Q(paid_on__isnull=False)
            )
        ),
        "avg_late": _text(Avg(days_late, filter=counted_late)),
        "worst_late": Max(days_late, filter=counted_late),
        # For the evidence rules: how many count towards lateness, how many are severely
        # late (the business's threshold) and how many are unpaid past their due date.
        "counted_late": Count("id", filter=counted_late),
        "severe_late": Count(
            "id", filter=counted_late & GreaterThanOrEqual(days_late, Value(severe_days))
        ),
        "open_overdue": Count("id", filter=d.overdue(today)),
    }
    for i, first in enumerate(months):
        nxt = months[i + 1] if i + 1 < len(months) else _next_month(first)
        fields[f"m{i}"] = _text(Sum("amount", filter=Q(issued_on__gte=first, issued_on__lt=nxt)))
    open_ = Q(paid_on__isnull=True)
    for key, low, high in AGING_BUCKETS:
        if key == "current":
            condition = open_ & Q(due_on__gte=today)
        elif high is None:
            condition = open_ & Q(due_on__lt=today - timedelta(days=low - 1))
        else:
            condition = open_ & Q(
                due_on__lte=today - timedelta(days=low), due_on__gte=today - timedelta(days=high)
            )
        fields[f"age_{key}"] = _text(Sum("amount", filter=condition))
    return JSONObject(**fields)


def _time_json(today: date, months: list[date]) -> JSONObject:
    in_window = d.time_in_window(today)
    cost = d.time_cost_cents()
    # Costs travel as whole cents (integers): exact on every database.
    fields = {
        "cost": Sum(cost, filter=in_window),
        "total_minutes": Sum("minutes", filter=in_window),
        "unbilled_minutes": Sum("minutes", filter=in_window & ~Q(kind=TimeEntry.Kind.BILLABLE)),
    }
    for i, first in enumerate(months):
        nxt = months[i + 1] if i + 1 < len(months) else _next_month(first)
        fields[f"m{i}"] = Sum(cost, filter=Q(date__gte=first, date__lt=nxt))
    return JSONObject(**fields)


def _expense_json(today: date, months: list[date]) -> JSONObject:
    cents = d.expense_cents()
    fields = {"cost": Sum(cents, filter=d.expense_in_window(today))}
    for i, first in enumerate(months):
        nxt = months[i + 1] if i + 1 < len(months) else _next_month(first)
        fields[f"m{i}"] = Sum(cents, filter=Q(date__gte=first, date__lt=nxt))
    return JSONObject(**fields)


def _incident_json(now: datetime) -> JSONObject:
    window = Q(occurred_at__gt=now - timedelta(days=WINDOW_DAYS))
    recent = Q(occurred_at__gt=now - timedelta(days=RECENT_DAYS))
    # Extra work billed to the client never counts against them: every count that the
    # evidence or the trouble score reads leaves it out; n12 and n90 count all logged.
    counted = d.counts_against_client()
    fields = {
        "n12": Count("id", filter=window),
        "n90": Count("id", filter=recent),
        "ooh12": Count("id", filter=window & counted & out_of_hours()),
        "ooh90": Count("id", filter=recent & counted & out_of_hours()),
    }
    for severity in SEVERITY_WEIGHT:
        fields[f"sev_{severity}"] = Count("id", filter=window & counted & Q(severity=severity))
    for category in Incident.Category.values:
        of = counted & Q(category=category)
        fields[f"c12_{category}"] = Count("id", filter=window & of)
        fields[f"c90_{category}"] = Count("id", filter=recent & of)
    return JSONObject(**fields)


def _next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def _dec(value) -> Decimal:
    return d.money(value)


def _float(value) -> float | None:
    return None if value in (None, "") else round(float(value), 1)


def with_figures(
    clients: QuerySet[Client],
    *,
    today: date | None = None,
    severe_days: int = 90,
    now: datetime | None = None,
    only: tuple[int, int] | None = None,
) -> QuerySet[Client]:
    """`clients` annotated with what `client_figures` reads, so fetching a client and its
    figures is one query (the client page does this). With `only` (business id, client
    id), the figures are those of that one client, cheaper to build (`_json_subquery`):
    `clients` must then hold that client alone."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    months = month_starts(today)
    business_total = (
        Invoice.objects.filter(d.issued_in_window(today), business_id=OuterRef("business_id"))
        .order_by()
        .values("business")
        .annotate(t=_text(Sum("amount")))
        .values("t")
    )
    return clients.annotate(
        fig_inv=_json_subquery(Invoice, _invoice_json(today, months, severe_days), only),
        fig_tim=_json_subquery(TimeEntry, _time_json(today, months), only),
        fig_exp=_json_subquery(Expense, _expense_json(today, months), only),
        # Every incident count lies within the 12 months: the busiest client's older
        # incidents are not read at all (the (business, client, -occurred_at) index).
        fig_inc=_json_subquery(
            Incident,
            _incident_json(now),
            only,
            occurred_at__gt=now - timedelta(days=WINDOW_DAYS),
        ),
        fig_total=Subquery(business_total),
        fig_today=Value(today.isoformat(), output_field=CharField()),
    )


def client_figures(
    client: Client,
    *,
    today: date | None = None,
    recent_invoices: int = 24,
    severe_days: int = 90,
) -> ClientFigures:
    """One client's figures: one query (none if `client` came from `with_figures` for the
    same day), plus one for its latest invoices unless `recent_invoices=0`."""
    today = today or timezone.localdate()
    if getattr(client, "fig_today", None) == today.isoformat():
        row = {k: getattr(client, f"fig_{k}") for k in ("inv", "tim", "exp", "inc", "total")}
    else:
        annotated = with_figures(
            Client.objects.filter(pk=client.pk),
            today=today,
            severe_days=severe_days,
            only=(client.business_id, client.pk),
        )
        found = annotated.values("fig_inv", "fig_tim", "fig_exp", "fig_inc", "fig_total").get()
        row = {k: found[f"fig_{k}"] for k in ("inv", "tim", "exp", "inc", "total")}
    months = month_starts(today)
    inv, tim, exp, inc = (_as_dict(row[k]) for k in ("inv", "tim", "exp", "inc"))
    expenses = d.money_from_cents(exp.get("cost"))
    total = _dec(row["total"])
    revenue = _dec(inv.get("revenue"))
    summary = Summary(
        client_id=client.pk,
        revenue=revenue,
        cost=d.money_from_cents(tim.get("cost")) + expenses,
        expenses=expenses,
        open_balance=_dec(inv.get("open_balance")),
        overdue_balance=_dec(inv.get("overdue_balance")),
        invoices=inv.get("invoices") or 0,
        paid_invoices=inv.get("paid_invoices") or 0,
        late_invoices=inv.get("late_invoices") or 0,
        disputed_invoices=inv.get("disputed_invoices") or 0,
        discounts=inv.get("discounts") or 0,
        discount_total=_dec(inv.get("discount_total")),
        avg_days_to_pay=_float(inv.get("avg_to_pay")),
        avg_days_late=_float(inv.get("avg_late")),
        worst_days_late=inv.get("worst_late"),
        unbilled_minutes=tim.get("unbilled_minutes") or 0,
        total_minutes=tim.get("total_minutes") or 0,
        incidents_12m=inc.get("n12") or 0,
        incidents_90d=inc.get("n90") or 0,
        trouble=sum(w * (inc.get(f"sev_{s}") or 0) for s, w in SEVERITY_WEIGHT.items()),
        share=(revenue / total).quantize(Decimal("0.0001")) if total > 0 else None,
    )
    categories = Incident.Category.values
    return ClientFigures(
        client_id=client.pk,
        today=today,
        summary=summary,
        business_revenue=total,
        months=months,
        revenue_by_month=[_dec(inv.get(f"m{i}")) for i in range(len(months))],
        cost_by_month=[
            d.money_from_cents(tim.get(f"m{i}")) + d.money_from_cents(exp.get(f"m{i}"))
            for i in range(len(months))
        ],
        aging={key: _dec(inv.get(f"age_{key}")) for key, _, _ in AGING_BUCKETS},
        incidents_90d={c: inc[f"c90_{c}"] for c in categories if inc.get(f"c90_{c}")},
        incidents_12m={c: inc[f"c12_{c}"] for c in categories if inc.get(f"c12_{c}")},
        out_of_hours_90d=inc.get("ooh90") or 0,
        out_of_hours_12m=inc.get("ooh12") or 0,
        counted_late=inv.get("counted_late") or 0,
        severe_late=inv.get("severe_late") or 0,
        open_overdue=inv.get("open_overdue") or 0,
        recent_invoices=_recent_invoices(client, today, recent_invoices) if recent_invoices else [],
    )


def _as_dict(value) -> dict:
    if value is None:
        return {}
    if isinstance(value, str):  # SQLite without JSON1 decoding
        import json

        return json.loads(value)
    return value


def _recent_invoices(client: Client, today: date, limit: int) -> list[InvoiceLateness]:
    rows = (
        Invoice.objects.filter(business_id=client.business_id, client=client)
        .annotate(late=d.days_late(today))
        .order_by("-issued_on", "-id")
        .values("id", "number", "issued_on", "due_on", "paid_on", "amount", "late", "disputed")[
            :limit
        ]
    )
    return [
        InvoiceLateness(
            invoice_id=r["id"],
            number=r["number"],
            issued_on=r["issued_on"],
            due_on=r["due_on"],
            paid_on=r["paid_on"],
            amount=d.money(r["amount"]),
            days_late=max(0, r["late"] or 0),
            disputed=r["disputed"],
        )
        for r in reversed(list(rows))
    ]
