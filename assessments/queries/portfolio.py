"""The owner's portfolio table: one row per client, sorted and filtered by the database.

`table()` is ONE queryset: each money column is a correlated subquery on the
(business, client, date) indexes, so sorting page 3 by profit is done by
PostgreSQL and is right at 10,000 clients (the subqueries run only for the rows
on the page when sorting by name). `confirmed_flags()` adds one query for the
flags of the latest reviews on a page. The figures use `assessments.figures.definitions`
(the same 12-month window, lateness and cost), so the portfolio, the client list and
the client page agree. The charts are in `portfolio_charts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Business
from assessments import redflags, scoring
from assessments.figures import definitions
from assessments.models import (
    AbuseFlag,
    Assessment,
    AssessmentAnswer,
    Client,
    Expense,
    Invoice,
    TimeEntry,
)
from clientreview.lib.text import fold

MONEY = DecimalField(max_digits=18, decimal_places=2)
NO_VERDICT = "none"

# Sort keys the page and the CSV accept, mapped to the annotation they order by.
SORTS: dict[str, str] = {
    "name": "name",
    "status": "status_rank",
    "verdict": "verdict_rank",
    "flags": "flags_count",
    "revenue": "revenue",
    "cost": "cost",
    "profit": "profit",
    "days_late": "avg_days_late",
    "open_balance": "open_balance",
    # A client's share is its revenue over the business's: the same order as revenue.
    "share": "revenue",
}
DEFAULT_SORT = "name"


def _per_client(qs: QuerySet, aggregate: Any, output=MONEY) -> Coalesce:
    """A per-client total as a correlated subquery; 0 when the client has no rows."""
    rows = qs.filter(client=OuterRef("pk")).order_by().values("client")
    rows = rows.annotate(total=aggregate).values("total")[:1]
    return Coalesce(Subquery(rows), Value(0), output_field=output)


def _rank(field_name: str, choices: Sequence[str]) -> Case:
    """The position of the value in `choices`; NULL (sorted last either way) otherwise."""
    return Case(
        *[When(**{field_name: value}, then=Value(i)) for i, value in enumerate(choices)],
        default=None,
        output_field=IntegerField(),
    )


def _money_annotations(business: Business, today: date) -> dict[str, Any]:
    invoices = Invoice.objects.filter(business=business)
    in_window = invoices.filter(definitions.issued_in_window(today))
    late_rows = (
        invoices.filter(definitions.counted_late(today), client=OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(avg=Avg(definitions.days_late(today)))
        .values("avg")[:1]
    )
    time = TimeEntry.objects.filter(definitions.time_in_window(today), business=business)
    spent = Expense.objects.filter(definitions.expense_in_window(today), business=business)
    return {
        "revenue": _per_client(in_window, Sum("amount")),
        # Cost to serve: time and expenses, each summed in whole cents.
        "cost": ExpressionWrapper(
            _per_client(time, definitions.CentsToMoney(Sum(definitions.time_cost_cents())))
            + _per_client(spent, definitions.CentsToMoney(Sum(definitions.expense_cents()))),
            output_field=MONEY,
        ),
        "open_balance": _per_client(invoices.filter(paid_on__isnull=True), Sum("amount")),
        "avg_days_late": Subquery(late_rows, output_field=DecimalField(12, 1)),
    }


def table(
    business: Business,
    *,
    today: date | None = None,
    status: str = "",
    verdict: str = "",
    open_flag: bool = False,
    search: str = "",
    sort: str = DEFAULT_SORT,
    descending: bool = False,
) -> QuerySet[Client]:
    """Every client of the business with its portfolio columns, filtered and sorted."""
    today = today or timezone.localdate()
    latest = Assessment.objects.filter(
        business=business, client=OuterRef("pk"), status=Assessment.Status.COMPLETE
    ).order_by("-completed_at", "-id")
    yes_count = (
        AssessmentAnswer.objects.filter(
            assessment=OuterRef("latest_assessment_id"), answer=scoring.Answer.YES
        )
        .order_by()
        .values("assessment")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    open_flags = AbuseFlag.objects.open().filter(business=business, contact__client=OuterRef("pk"))
    qs = (
        Client.objects.filter(business=business)
        .annotate(
            latest_assessment_id=Subquery(latest.values("id")[:1]),
            latest_verdict=Coalesce(Subquery(latest.values("verdict")[:1]), Value("")),
            latest_completed_at=Subquery(latest.values("completed_at")[:1]),
            **_money_annotations(business, today),
        )
        .annotate(
            flags_count=Coalesce(Subquery(yes_count), Value(0)),
            has_open_flag=Exists(open_flags),
            profit=ExpressionWrapper(F("revenue") - F("cost"), MONEY),
            status_rank=_rank("status", Client.Status.values),
            # Fire first when sorting "worst first"; clients never reviewed last.
            verdict_rank=_rank("latest_verdict", ["keep", "watch", "fire"]),
        )
    )
    if status in Client.Status.values:
        qs = qs.filter(status=status)
    if verdict == NO_VERDICT:
        qs = qs.filter(latest_verdict="")
    elif verdict in scoring.Verdict.values:
        qs = qs.filter(latest_verdict=verdict)
    if open_flag:
        qs = qs.filter(has_open_flag=True)
    if search:
        qs = qs.filter(search_name__contains=fold(search))
    key = SORTS.get(sort, SORTS[DEFAULT_SORT])
    order = F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_last=True)
    # Name then id break ties, so pages never overlap or skip a client.
    return qs.order_by(order, "name", "id")


def confirmed_flags(clients: Sequence[Client]) -> dict[int, list[redflags.RedFlag]]:
    """The flags answered "yes" in each client's latest completed review: one query."""
    ids = [c.latest_assessment_id for c in clients if c.latest_assessment_id]
    if not ids:
        return {}
    found: dict[int, list[redflags.RedFlag]] = {}
    rows = AssessmentAnswer.objects.filter(
        assessment_id__in=ids, answer=scoring.Answer.YES
    ).values_list("assessment_id", "flag_key")
    for assessment_id, key in rows:
        flag = redflags.BY_KEY.get(key)
        if flag is not None:
            found.setdefault(assessment_id, []).append(flag)
    for flags in found.values():
        flags.sort(key=lambda f: f.sort_key)
    return found
