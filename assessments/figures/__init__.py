"""What a client brings in and what it costs: figures computed by database aggregates.

Every function here runs a fixed number of queries, however many invoices,
time entries or incidents lie behind them. `summaries()` serves a whole
portfolio in one grouped query per table; `client_figures()` gives one client's
detail (months, aging, incidents by category) in a single query, plus one for
its recent invoices when asked.

Definitions (shown to owners on the help page):
- revenue: invoiced amounts issued in the last 12 months;
- cost to serve: every minute logged for the client in the last 12 months at its
  cost rate, billable or not; profit: revenue minus cost to serve;
- days late: due date to payment, or to today while unpaid; never negative;
- payment figures cover invoices issued in the last 12 months and every invoice
  still open, however old.
"""

from assessments.figures.client import ClientFigures, InvoiceLateness, client_figures, with_figures

# The underscored helpers are shared with the list, evidence and load-data queries.
from assessments.figures.summary import (  # noqa: F401
    AGING_BUCKETS,
    CENT,
    MONEY,
    RECENT_DAYS,
    WINDOW_DAYS,
    ZERO,
    DaysBetween,
    Summary,
    _cost_expression,
    _days_late,
    _money,
    _today_value,
    _window_start,
    business_revenue,
    out_of_hours,
    summaries,
)

__all__ = [
    "AGING_BUCKETS",
    "CENT",
    "MONEY",
    "RECENT_DAYS",
    "WINDOW_DAYS",
    "ZERO",
    "ClientFigures",
    "DaysBetween",
    "InvoiceLateness",
    "Summary",
    "business_revenue",
    "client_figures",
    "out_of_hours",
    "summaries",
    "with_figures",
]
