"""The portfolio's four charts over every client, in two queries.

- `ranked_clients()`: per-client trouble, revenue and cost, each aggregated once per
  table with GROUP BY, ranked by window functions; only the rows the charts name
  come back (top 20 by trouble, the largest 10 by revenue) with running totals.
- `aging()`: the receivables by age, one aggregate over the open invoices.

Both are computed on each portfolio view: a pass over a year of the business's
invoices, time and incidents, served by the indexes on (business, date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import Business
from assessments import charts, scoring
from assessments.figures import AGING_BUCKETS, WINDOW_DAYS, DaysBetween, definitions
from assessments.models import Client, Expense, Incident, Invoice, TimeEntry
from assessments.models.incidents import SEVERITY_WEIGHT

MONEY = DecimalField(max_digits=18, decimal_places=2)
PARETO_SHOWN = charts.PARETO_BARS
SHARE_SHOWN = charts.SHARE_BARS
COST_SHOWN = 10


@dataclass(frozen=True)
class Concentration:
    name: str
    share: Decimal

    @property
    def percent(self) -> int:
        return int((self.share * 100).to_integral_value())


@dataclass(frozen=True)
class Charts:
    """Rendered SVG for the four portfolio charts and the concentration warnings."""

    pareto: SafeString
    aging: SafeString
    share: SafeString
    revenue_cost: SafeString
    total_revenue: Decimal = Decimal("0.00")
    concentrated: list[Concentration] = field(default_factory=list)
    top_fifth: TopFifth | None = None
    computed_at: datetime | None = None


@dataclass(frozen=True)
class TopFifth:
    """What the most troublesome fifth of clients accounts for (the Pareto's sentence)."""

    clients: int
    of: int
    trouble_percent: int
    revenue_percent: int | None


def top_fifth(rows: list[dict]) -> TopFifth | None:
    """None when no trouble is recorded: there is no "most troublesome" fifth then."""
    if not rows or not rows[0]["total_trouble"]:
        return None
    count = rows[0]["client_count"]
    top = (count + 4) // 5
    row = next((r for r in rows if r["trouble_rank"] == top), None)
    if row is None:
        return None
    total_revenue = rows[0]["total_revenue"]

    def percent(part: Decimal, whole: Decimal) -> int:
        return int((part * 100 / whole).to_integral_value())

    return TopFifth(
        clients=top,
        of=count,
        trouble_percent=percent(row["cum_trouble"], rows[0]["total_trouble"]),
        revenue_percent=percent(row["cum_revenue"], total_revenue) if total_revenue > 0 else None,
    )


def _grouped(qs: QuerySet, **aggregates: Any) -> tuple[str, tuple]:
    """SQL and parameters of a per-client GROUP BY, built by the ORM (so the database's
    own date and time adaptation applies) for use as a CTE."""
    grouped = qs.order_by().values("client_id").annotate(**aggregates)
    sql, params = grouped.query.sql_with_params()
    return sql, tuple(params)


def _chart_sources(business: Business, today: date) -> list[tuple[str, str, str, tuple]]:
    """(name, value columns, SQL, params) of the four per-client totals the charts read;
    the time entries are read once for both the cost and the unbilled minutes."""
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    weight = Case(
        *[When(severity=sev, then=Value(w)) for sev, w in SEVERITY_WEIGHT.items()],
        default=Value(1),
        output_field=IntegerField(),
    )
    sources = {
        "inc": Incident.objects.filter(
            definitions.counts_against_client(), business=business, occurred_at__gt=since
        ),
        "rev": Invoice.objects.filter(definitions.issued_in_window(today), business=business),
        "tim": TimeEntry.objects.filter(definitions.time_in_window(today), business=business),
        "exp": Expense.objects.filter(definitions.expense_in_window(today), business=business),
    }
    values = {
        "inc": {"v": Sum(weight)},
        "rev": {"v": Sum("amount")},
        "tim": {
            "v": definitions.CentsToMoney(Sum(definitions.time_cost_cents())),
            "unbilled": Sum("minutes", filter=~Q(kind=TimeEntry.Kind.BILLABLE)),
        },
        "exp": {"v": definitions.CentsToMoney(Sum(definitions.expense_cents()))},
    }
    return [
        (name, ", ".join(values[name]), *_grouped(qs, **values[name]))
        for name, qs in sources.items()
    ]


_RANKED_SQL = """
WITH {ctes},
per AS (
    SELECT c.id, c.name,
           COALESCE(inc.v, 0) + COALESCE(tim.unbilled, 0) / 60.0 AS trouble,
           COALESCE(rev.v, 0) AS revenue,
           COALESCE(tim.v, 0) + COALESCE(exp.v, 0) AS cost
    FROM {client} c
    LEFT JOIN inc ON inc.client_id = c.id
    LEFT JOIN rev ON rev.client_id = c.id
    LEFT JOIN tim ON tim.client_id = c.id
    LEFT JOIN exp ON exp.client_id = c.id
    WHERE c.business_id = %s
),
ranked AS (
    SELECT per.*,
        ROW_NUMBER() OVER (ORDER BY trouble DESC, name, id) AS trouble_rank,
        ROW_NUMBER() OVER (ORDER BY revenue DESC, name, id) AS revenue_rank,
        COUNT(*) OVER () AS client_count,
        SUM(trouble) OVER () AS total_trouble,
        SUM(revenue) OVER () AS total_revenue,
        SUM(CASE WHEN revenue > 0 THEN 1 ELSE 0 END) OVER () AS earning,
        SUM(trouble) OVER (ORDER BY trouble DESC, name, id) AS cum_trouble,
        SUM(revenue) OVER (ORDER BY trouble DESC, name, id) AS cum_revenue
    FROM per
)
SELECT name, trouble, revenue, cost, trouble_rank, revenue_rank, client_count,
       total_trouble, total_revenue, earning, cum_trouble, cum_revenue
FROM ranked
WHERE trouble_rank <= %s OR trouble_rank = (client_count + 4) / 5 OR revenue_rank <= %s
"""
_RANKED_COLUMNS = (
    "name",
    "trouble",
    "revenue",
    "cost",
    "trouble_rank",
    "revenue_rank",
    "client_count",
    "total_trouble",
    "total_revenue",
    "earning",
    "cum_trouble",
    "cum_revenue",
)
_DECIMAL_COLUMNS = {
    "trouble": Decimal("0.1"),
    "total_trouble": Decimal("0.1"),
    "cum_trouble": Decimal("0.1"),
    "revenue": Decimal("0.01"),
    "cost": Decimal("0.01"),
    "total_revenue": Decimal("0.01"),
    "cum_revenue": Decimal("0.01"),
}


def _decimal(value: Any, places: Decimal) -> Decimal:
    # SQLite hands back floats for these sums; str() keeps the shortest exact form.
    return Decimal(str(value or 0)).quantize(places)


def ranked_clients(business: Business, today: date) -> list[dict]:
    """The clients the charts name, in ONE query, with totals over every client.

    Returns the top `PARETO_SHOWN` by trouble (incidents in 12 months weighted by
    severity plus unbilled hours, as `figures.Summary.trouble_score`), the client at
    the end of the top fifth by trouble (for the Pareto sentence) and the largest
    clients by revenue, each with running totals from window functions over all
    clients. Why raw SQL: each total is aggregated once per table with GROUP BY and
    joined; the ORM would repeat a correlated subquery in every window that reads it.
    """
    sources = _chart_sources(business, today)
    ctes = ", ".join(f"{name}(client_id, {cols}) AS ({sql})" for name, cols, sql, _p in sources)
    params: list[Any] = [p for *_rest, source_params in sources for p in source_params]
    sql = _RANKED_SQL.format(ctes=ctes, client=connection.ops.quote_name(Client._meta.db_table))
    params += [business.pk, PARETO_SHOWN, max(SHARE_SHOWN, COST_SHOWN)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(_RANKED_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        for column, places in _DECIMAL_COLUMNS.items():
            row[column] = _decimal(row[column], places)
    return rows


def _fill(count: int, total: Decimal) -> list[Decimal]:
    """`count` equal parts of `total` (exact enough: 28 significant digits)."""
    return [total / count] * count if count > 0 else []


def pareto_items(rows: list[dict]) -> list[tuple[str, Decimal, Decimal]]:
    """Items for `charts.pareto_chart` that draw exactly what all clients would draw.

    The chart shows the top 20 bars, an "Others" bar with the sum of the rest and
    a sentence about the top fifth. Only those sums matter, so the clients past
    the top 20 are passed as equal parts of two segments (to the end of the top
    fifth, and after it): each part is at most the 20th client's trouble and at
    least any later client's, so the chart's sort keeps them in place.
    """
    if not rows:
        return []
    first = rows[0]
    count = first["client_count"]
    total_t, total_r = Decimal(first["total_trouble"] or 0), Decimal(first["total_revenue"] or 0)
    shown = sorted((r for r in rows if r["trouble_rank"] <= PARETO_SHOWN), key=_by_trouble_rank)
    items = [(r["name"], Decimal(r["trouble"]), Decimal(r["revenue"])) for r in shown]
    top = (count + 4) // 5
    at = {r["trouble_rank"]: r for r in rows}
    done_t = sum((t for _n, t, _r in items), Decimal(0))
    done_r = sum((r for _n, _t, r in items), Decimal(0))
    if top > len(items) and top in at:
        mid_t = Decimal(at[top]["cum_trouble"]) - done_t
        mid_r = Decimal(at[top]["cum_revenue"]) - done_r
        gap = top - len(items)
        items += list(zip([""] * gap, _fill(gap, mid_t), _fill(gap, mid_r), strict=True))
        done_t, done_r = done_t + mid_t, done_r + mid_r
    rest = count - len(items)
    items += list(
        zip([""] * rest, _fill(rest, total_t - done_t), _fill(rest, total_r - done_r), strict=True)
    )
    return items


def _by_trouble_rank(row: dict) -> int:
    return row["trouble_rank"]


def share_items(rows: list[dict]) -> list[tuple[str, Decimal]]:
    """Items for `charts.share_chart`: the top 10 by revenue, the rest in equal parts."""
    if not rows:
        return []
    total = Decimal(rows[0]["total_revenue"] or 0)
    earning = rows[0]["earning"] or 0
    if total <= 0:
        return []
    top = sorted(
        (r for r in rows if r["revenue_rank"] <= SHARE_SHOWN and r["revenue"] > 0),
        key=lambda r: r["revenue_rank"],
    )
    items = [(r["name"], Decimal(r["revenue"]) / total) for r in top]
    rest = earning - len(items)
    rest_share = (total - sum((Decimal(r["revenue"]) for r in top), Decimal(0))) / total
    items += [("", share) for share in _fill(rest, rest_share)]
    return items


def aging(business: Business, today: date) -> dict[str, Decimal]:
    """Open invoices by how far past due they are: one aggregate query."""
    aggregates = {}
    for key, low, high in AGING_BUCKETS:
        if key == "current":
            condition = Q(due_on__gte=today)
        elif high is None:
            condition = Q(late__gte=low)
        else:
            condition = Q(late__gte=low, late__lte=high)
        aggregates[key] = Sum("amount", filter=condition)
    raw = (
        Invoice.objects.filter(business=business, paid_on__isnull=True)
        .annotate(late=DaysBetween(Value(today, output_field=DateField()), "due_on"))
        .aggregate(**aggregates)
    )
    return {key: Decimal(raw[key] or 0).quantize(Decimal("0.01")) for key, _l, _h in AGING_BUCKETS}


def aging_label(key: str) -> str:
    if key == "current":
        return _("Not yet due")
    if key.endswith("+"):
        return _("Over %(days)s days") % {"days": key[:-1]}
    return _("%(range)s days") % {"range": key.replace("-", "–")}


def build_charts(business: Business, today: date) -> Charts:
    """Compute and draw the four charts: two queries (ranked clients, receivables)."""
    rows = ranked_clients(business, today)
    currency = business.currency
    pareto = charts.pareto_chart(
        pareto_items(rows),
        title=_("Which clients cause the trouble (last 12 months)"),
        chart_id="portfolio-pareto",
    )
    buckets = aging(business, today)
    aging_svg = charts.bar_chart(
        # Whole units: cents on a bar's label only crowd the chart.
        [(aging_label(key), value.quantize(Decimal(1))) for key, value in buckets.items()],
        title=_("Money owed to you, by how late it is"),
        x_label=_("Days past the due date"),
        y_label=_("Open invoices (%(currency)s)") % {"currency": currency},
        money=True,
        currency=currency,
        chart_id="portfolio-aging",
    )
    shares = share_items(rows)
    threshold = scoring.CONCENTRATION_THRESHOLD
    share_svg = charts.share_chart(
        shares,
        title=_("Share of revenue by client (last 12 months)"),
        warn_at=threshold,
        chart_id="portfolio-share",
    )
    concentrated = [Concentration(name, share) for name, share in shares if share >= threshold]
    top = sorted(
        (r for r in rows if r["revenue_rank"] <= COST_SHOWN and r["revenue"] > 0),
        key=lambda r: r["revenue_rank"],
    )
    revenue_cost = charts.grouped_bar_chart(
        [r["name"] for r in top],
        [
            (_("Revenue"), [r["revenue"] for r in top]),
            (_("Cost to serve"), [r["cost"] for r in top]),
        ],
        title=_("Revenue against cost to serve, largest 10 clients (last 12 months)"),
        x_label=_("Client"),
        y_label=_("Amount (%(currency)s)") % {"currency": currency},
        money=True,
        currency=currency,
        chart_id="portfolio-revenue-cost",
    )
    return Charts(
        pareto=pareto,
        aging=aging_svg,
        share=share_svg,
        revenue_cost=revenue_cost,
        total_revenue=rows[0]["total_revenue"] if rows else Decimal("0.00"),
        concentrated=concentrated,
        top_fifth=top_fifth(rows),
        computed_at=timezone.now(),
    )


def charts_for(business: Business, *, today: date | None = None) -> Charts:
    """The drawn charts for today (two queries)."""
    return build_charts(business, today or timezone.localdate())
