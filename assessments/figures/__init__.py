"""What a client brings in and what it costs: figures computed by database aggregates.

Every function here runs a fixed number of queries, however many invoices,
time entries or incidents lie behind them. `summaries()` serves a whole
portfolio in one grouped query per table; `client_figures()` gives one client's
detail (months, aging, incidents by category) in a single query, plus one for
its recent invoices when asked.

The definitions (revenue, cost to serve, counted late, days late, the 12-month
window) live in `definitions`, once, and are shown to owners on the help page.
"""

from assessments.figures import definitions
from assessments.figures.client import ClientFigures, InvoiceLateness, client_figures, with_figures
from assessments.figures.definitions import (
    CENT,
    MONEY,
    RECENT_DAYS,
    WINDOW_DAYS,
    ZERO,
    DaysBetween,
)
from assessments.figures.summary import (
    AGING_BUCKETS,
    Summary,
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
    "definitions",
    "out_of_hours",
    "summaries",
    "with_figures",
]
