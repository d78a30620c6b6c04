"""Headline figures per client for a whole portfolio: one grouped query per table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Business
from assessments.figures import definitions as d
from assessments.figures.definitions import (  # noqa: F401 - imported from here by others
    CENT,
    MONEY,
    RECENT_DAYS,
    WINDOW_DAYS,
    ZERO,
    DaysBetween,
)
from assessments.models import Expense, Incident, Invoice, TimeEntry
from assessments.models.incidents import SEVERITY_WEIGHT

AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("current", -100000, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    ("120+", 121, None),
)


@dataclass(frozen=True)
class Summary:
    """One client's headline figures (a portfolio row)."""

    client_id: int
    revenue: Decimal = ZERO
    # Cost to serve: time at its cost rate plus expenses, both over 12 months.
    cost: Decimal = ZERO
    # Of `cost`, the expenses.
    expenses: Decimal = ZERO
    open_balance: Decimal = ZERO
    overdue_balance: Decimal = ZERO
    invoices: int = 0
    paid_invoices: int = 0
    late_invoices: int = 0
    disputed_invoices: int = 0
    discounts: int = 0
    discount_total: Decimal = ZERO
    avg_days_to_pay: float | None = None
    avg_days_late: float | None = None
    worst_days_late: int | None = None
    unbilled_minutes: int = 0
    total_minutes: int = 0
    incidents_12m: int = 0
    incidents_90d: int = 0
    trouble: int = 0
    share: Decimal | None = None

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def unbilled_hours(self) -> Decimal:
        return (Decimal(self.unbilled_minutes) / 60).quantize(Decimal("0.1"))

    @property
    def trouble_score(self) -> Decimal:
        """Incidents weighted by severity plus unbilled hours (the Pareto's measure)."""
        return Decimal(self.trouble) + self.unbilled_hours


def business_revenue(business: Business, today: date) -> Decimal:
    total = Invoice.objects.filter(d.issued_in_window(today), business=business).aggregate(
        total=Sum("amount")
    )["total"]
    return d.money(total)


def summaries(
    business: Business,
    client_ids: Iterable[int] | None = None,
    *,
    today: date | None = None,
    with_share: bool = True,
) -> dict[int, Summary]:
    """Headline figures for many clients: five queries whatever their number. Without
    `with_share`, four: the business's own revenue (a sum over every invoice of the
    year) is not read, and each `share` is None."""
    return _summaries(business, client_ids, today or timezone.localdate(), with_share)[0]


def _summaries(
    business: Business, client_ids: Iterable[int] | None, today: date, with_share: bool
) -> tuple[dict[int, Summary], Decimal | None]:
    ids = None if client_ids is None else list(client_ids)

    def scoped(qs):
        qs = qs.filter(business=business)
        return qs if ids is None else qs.filter(client_id__in=ids)

    in_window = d.issued_in_window(today)
    payment_scope = d.payment_scope(today)
    counted_late = d.counted_late(today)
    days_late = d.days_late(today)
    invoice_rows = (
        scoped(Invoice.objects)
        .values("client_id")
        .annotate(
            revenue=Sum("amount", filter=in_window),
            open_balance=Sum("amount", filter=Q(paid_on__isnull=True)),
            overdue_balance=Sum("amount", filter=d.overdue(today)),
            invoices=Count("id", filter=payment_scope),
            paid_invoices=Count("id", filter=payment_scope & Q(paid_on__isnull=False)),
            late_invoices=Count(
                "id", filter=counted_late & Q(due_on__lt=Coalesce("paid_on", d.today_value(today)))
            ),
            disputed=Count("id", filter=payment_scope & Q(disputed=True)),
            discounts=Count("id", filter=payment_scope & Q(discount_pushed__gt=0)),
            discount_total=Sum("discount_pushed", filter=payment_scope),
            avg_to_pay=Avg(
                DaysBetween("paid_on", "issued_on"), filter=payment_scope & Q(paid_on__isnull=False)
            ),
            avg_late=Avg(days_late, filter=counted_late),
            worst_late=Max(days_late, filter=counted_late),
        )
        .order_by()
    )
    time_rows = (
        scoped(TimeEntry.objects)
        .filter(d.time_in_window(today))
        .values("client_id")
        .annotate(
            cost=Sum(d.time_cost_cents()),
            total_minutes=Sum("minutes"),
            unbilled=Sum("minutes", filter=~Q(kind=TimeEntry.Kind.BILLABLE)),
        )
        .order_by()
    )
    expense_rows = (
        scoped(Expense.objects)
        .filter(d.expense_in_window(today))
        .values("client_id")
        .annotate(cents=Sum(d.expense_cents()))
        .order_by()
    )
    weight = Case(
        *[When(severity=sev, then=Value(w)) for sev, w in SEVERITY_WEIGHT.items()],
        default=Value(1),
        output_field=IntegerField(),
    )
    window_start_dt = timezone.now() - timedelta(days=d.WINDOW_DAYS)
    recent_dt = timezone.now() - timedelta(days=d.RECENT_DAYS)
    incident_rows = (
        scoped(Incident.objects)
        .filter(occurred_at__gt=window_start_dt)
        .values("client_id")
        .annotate(
            n12=Count("id"),
            n90=Count("id", filter=Q(occurred_at__gt=recent_dt)),
            trouble=Sum(weight, filter=d.counts_against_client()),
        )
        .order_by()
    )
    total_revenue = business_revenue(business, today) if with_share else None
    data: dict[int, dict] = {}
    for row in invoice_rows:
        data.setdefault(row["client_id"], {}).update(
            revenue=d.money(row["revenue"]),
            open_balance=d.money(row["open_balance"]),
            overdue_balance=d.money(row["overdue_balance"]),
            invoices=row["invoices"],
            paid_invoices=row["paid_invoices"],
            late_invoices=row["late_invoices"],
            disputed_invoices=row["disputed"],
            discounts=row["discounts"],
            discount_total=d.money(row["discount_total"]),
            avg_days_to_pay=None
            if row["avg_to_pay"] is None
            else round(float(row["avg_to_pay"]), 1),
            avg_days_late=None if row["avg_late"] is None else round(float(row["avg_late"]), 1),
            worst_days_late=row["worst_late"],
        )
    for row in time_rows:
        data.setdefault(row["client_id"], {}).update(
            cost=d.money_from_cents(row["cost"]),
            total_minutes=row["total_minutes"] or 0,
            unbilled_minutes=row["unbilled"] or 0,
        )
    for row in expense_rows:
        values = data.setdefault(row["client_id"], {})
        expenses = d.money_from_cents(row["cents"])
        values.update(expenses=expenses, cost=values.get("cost", ZERO) + expenses)
    for row in incident_rows:
        data.setdefault(row["client_id"], {}).update(
            incidents_12m=row["n12"], incidents_90d=row["n90"], trouble=row["trouble"] or 0
        )
    wanted = ids if ids is not None else data.keys()
    result = {}
    for client_id in wanted:
        values = data.get(client_id, {})
        revenue = values.get("revenue", ZERO)
        share = (
            (revenue / total_revenue).quantize(Decimal("0.0001"))
            if total_revenue is not None and total_revenue > 0
            else None
        )
        result[client_id] = Summary(client_id=client_id, share=share, **values)
    return result, total_revenue


def out_of_hours() -> Q:
    """Incidents that count as contact outside the agreed hours."""
    return Q(outside_hours=True) | Q(category=Incident.Category.OUT_OF_HOURS)
