"""The owner's home: every client's standing at a glance, four charts and a CSV export.

The queries live in `assessments.queries.portfolio`; this module parses the request, pages
the table and streams the export. The page runs a fixed number of queries, whatever
the data.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import chain, islice
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.services import record_event
from accounts.tenancy import for_business, owner_required
from assessments import figures, scoring
from assessments.forms.portfolio import SORT_CHOICES, PortfolioFilterForm, Query
from assessments.models import Client
from assessments.queries import portfolio, portfolio_charts
from clientreview.lib.spreadsheet import safe_cell

PER_PAGE = 50
CSV_CHUNK = 1000
# Sorted worst or biggest first on the first click: what an owner looks for.
DESCENDING_FIRST = {"verdict", "flags", "revenue", "cost", "days_late", "open_balance", "share"}
NUMERIC = {"flags", "revenue", "cost", "profit", "days_late", "open_balance", "share"}


def owner_home(request: HttpRequest) -> HttpResponse:
    """The portfolio; `home()` sends owners here. Staff never see it."""
    if request.membership is None or not request.membership.is_owner:
        raise PermissionDenied
    business = request.business
    form = PortfolioFilterForm(request.GET or None)
    query = form.query()
    paginator = Paginator(portfolio.table(business, **query.table_kwargs()), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    clients = list(page.object_list)
    has_clients = bool(clients) or _any_client(request)
    charts = portfolio_charts.charts_for(business) if has_clients else None
    flags = portfolio.confirmed_flags(clients)
    total = charts.total_revenue if charts else None
    context = {
        "form": form,
        "query": query,
        "page": page,
        "rows": [_row(client, flags, total) for client in clients],
        "columns": _columns(request, query),
        "query_string": _encode(request, drop=("page",)),
        "has_clients": has_clients,
        "charts": charts,
    }
    return render(request, "assessments/portfolio/home.html", context)


def _any_client(request: HttpRequest) -> bool:
    # Only asked when a filter matched nothing: tells "no match" from "no clients yet".
    return for_business(Client, request).exists()


def _row(client: Client, flags: dict[int, list], total: Decimal | None) -> dict:
    """One table row; the share uses the business's revenue, as the page's charts do."""
    return {
        "client": client,
        "verdict_label": dict(scoring.Verdict.choices).get(client.latest_verdict, ""),
        "flags": flags.get(client.latest_assessment_id, []),
        "share_percent": client.revenue * 100 / total if total else None,
    }


def _encode(request: HttpRequest, *, drop: Iterable[str] = (), **override: str) -> str:
    params = {k: v for k, v in request.GET.items() if k not in drop and v != ""}
    params.update(override)
    return urlencode(params)


def _columns(request: HttpRequest, query: Query) -> list[dict]:
    """Table headers: each links to sorting by it, the current one to the other direction."""
    columns = []
    for key, label in SORT_CHOICES:
        current = key == query.sort
        descending = not query.descending if current else key in DESCENDING_FIRST
        link = _encode(
            request, drop=("page", "sort", "order"), sort=key, order="desc" if descending else "asc"
        )
        columns.append(
            {
                "key": key,
                "label": label,
                "url": "?" + link,
                "current": current,
                "aria_sort": ("descending" if query.descending else "ascending")
                if current
                else "none",
                "numeric": key in NUMERIC,
            }
        )
    return columns


# --- CSV -----------------------------------------------------------------------------


class _Echo:
    """csv.writer writes into this; each row comes back as a string to stream."""

    def write(self, value: str) -> str:
        return value


def _number(value: Decimal | float | None, places: int = 2) -> str:
    # Numbers are written by us, never typed by a user, so they cannot carry a formula;
    # quoting a negative profit would turn it into text in the spreadsheet.
    if value is None:
        return ""
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places)):f}"


def _csv_header(currency: str) -> list[str]:
    money = {"currency": currency}
    return [
        _("Client"),
        _("Status"),
        _("Latest verdict"),
        _("Reviewed on"),
        _("Confirmed flags"),
        _("Confirmed flags (titles)"),
        _("Revenue, 12 months (%(currency)s)") % money,
        _("Cost to serve, 12 months (%(currency)s)") % money,
        _("Profit, 12 months (%(currency)s)") % money,
        _("Average days late"),
        _("Open balance (%(currency)s)") % money,
        _("Share of revenue (%)"),
        _("Open abuse flag"),
    ]


def _csv_rows(clients: Iterator[Client], currency: str, total: Decimal) -> Iterator[list[str]]:
    yield _csv_header(currency)
    statuses = dict(Client.Status.choices)
    verdicts = dict(scoring.Verdict.choices)
    while chunk := list(islice(clients, CSV_CHUNK)):
        flags = portfolio.confirmed_flags(chunk)  # one query per chunk
        for client in chunk:
            confirmed = flags.get(client.latest_assessment_id, [])
            share = client.revenue / total * 100 if total else None
            reviewed = client.latest_completed_at
            yield [
                safe_cell(client.name),
                safe_cell(statuses.get(client.status, client.status)),
                safe_cell(verdicts.get(client.latest_verdict, "")),
                timezone.localdate(reviewed).isoformat() if reviewed else "",
                str(len(confirmed)),
                safe_cell("; ".join(str(flag.title) for flag in confirmed)),
                _number(client.revenue),
                _number(client.cost),
                _number(client.profit),
                _number(client.avg_days_late, 1),
                _number(client.open_balance),
                _number(share, 1),
                _("yes") if client.has_open_flag else _("no"),
            ]


@owner_required
def portfolio_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The portfolio table as CSV: same filters and sort, every row, streamed in chunks."""
    business = request.business
    query = PortfolioFilterForm(request.GET or None).query()
    qs = portfolio.table(business, **query.table_kwargs())
    record_event(
        business,
        AuditEvent.Kind.EXPORT,
        request=request,
        detail=f"Portfolio CSV {_encode(request) or '(all clients)'}",
    )
    writer = csv.writer(_Echo())
    total = figures.business_revenue(business, timezone.localdate())
    rows = _csv_rows(qs.iterator(chunk_size=CSV_CHUNK), business.currency, total)
    # The byte-order mark makes spreadsheet programs read the names as UTF-8.
    lines = chain(["\ufeff"], (writer.writerow(row) for row in rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="portfolio-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
