"""Exact money on every database: the issue's own example and odd rates, through every
path that shows a cost (figures, the client page's detail, the list sort, the portfolio
table and its charts, the model). Run on SQLite (unit tier) and PostgreSQL (services)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import figures
from assessments.figures import definitions
from assessments.queries import portfolio, portfolio_charts
from assessments.queries.clients import sorted_clients
from tests import factories

pytestmark = pytest.mark.django_db


def _log(client_obj, minutes_and_rates):
    today = timezone.localdate()
    for n, (minutes, rate) in enumerate(minutes_and_rates):
        factories.time_entry(
            client_obj, minutes=minutes, cost_rate=Decimal(rate), date=today - timedelta(days=n + 1)
        )


CASES = [
    # The issue: 90 + 150 + 75 + 45 minutes at 45/h is 270.00, not 268 or 267.
    ([(90, "45"), (150, "45"), (75, "45"), (45, "45")], Decimal("270.00")),
    # Five entries worth 540 that SQLite's integer division showed as 538.
    ([(90, "45"), (90, "45"), (90, "45"), (90, "45"), (360, "45")], Decimal("540.00")),
    # Odd minutes at a rate with cents: 7 x 33.33/60 = 3.8885 -> 3.89 per entry.
    ([(7, "33.33"), (7, "33.33"), (7, "33.33")], Decimal("11.67")),
    # Half a cent rounds up: 1 minute at 0.30/h is 0.005.
    ([(1, "0.30")], Decimal("0.01")),
    ([(61, "99.99"), (1, "60.00")], Decimal("102.66")),
]


@pytest.mark.parametrize(("entries", "expected"), CASES)
def test_cost_to_serve_is_exact_everywhere(business, entries, expected):
    acme = factories.client(business, name="Acme")
    factories.invoice(acme, amount=Decimal("1000.00"))
    _log(acme, entries)
    today = timezone.localdate()

    assert figures.summaries(business, [acme.pk], today=today)[acme.pk].cost == expected
    detail = figures.client_figures(acme, today=today)
    assert detail.summary.cost == expected
    assert sum(detail.cost_by_month) == expected
    assert sum(entry.cost for entry in acme.time_entries.all()) == expected

    row = portfolio.table(business, today=today).get(pk=acme.pk)
    assert row.cost.quantize(definitions.CENT) == expected
    assert row.profit.quantize(definitions.CENT) == Decimal("1000.00") - expected

    listed = sorted_clients(business.clients.all(), "-profit", business, today).get(pk=acme.pk)
    assert Decimal(str(listed.sort_value)).quantize(definitions.CENT) == (
        Decimal("1000.00") - expected
    )

    charted = {r["name"]: r for r in portfolio_charts.ranked_clients(business, today)}
    assert charted["Acme"]["cost"] == expected


def test_python_and_database_definitions_agree():
    for minutes in (1, 7, 45, 59, 61, 75, 90, 1439):
        for rate in ("0.30", "33.33", "45", "45.50", "99.99", "1234.56"):
            cents = (minutes * int(Decimal(rate) * 100) + 30) // 60
            assert definitions.time_cost(minutes, Decimal(rate)) == Decimal(cents) / 100


def test_expenses_are_part_of_the_cost_to_serve_everywhere(business):
    from assessments.models import Expense

    acme = factories.client(business, name="Acme")
    factories.invoice(acme, amount=Decimal("1000.00"))
    _log(acme, [(90, "45"), (150, "45"), (75, "45"), (45, "45")])
    today = timezone.localdate()
    for days, amount in ((3, "19.99"), (40, "0.01"), (200, "100.10")):
        Expense.objects.create(
            business=business, client=acme, date=today - timedelta(days=days), amount=amount
        )
    # Outside the 12-month window: not counted.
    Expense.objects.create(
        business=business, client=acme, date=today - timedelta(days=400), amount="999.00"
    )
    expected = Decimal("270.00") + Decimal("120.10")

    summary = figures.summaries(business, [acme.pk], today=today)[acme.pk]
    assert (summary.cost, summary.expenses) == (expected, Decimal("120.10"))
    detail = figures.client_figures(acme, today=today)
    assert (detail.summary.cost, detail.summary.expenses) == (expected, Decimal("120.10"))
    assert sum(detail.cost_by_month) == expected
    row = portfolio.table(business, today=today).get(pk=acme.pk)
    assert row.cost.quantize(definitions.CENT) == expected
    listed = sorted_clients(business.clients.all(), "profit", business, today).get(pk=acme.pk)
    assert Decimal(str(listed.sort_value)).quantize(definitions.CENT) == (
        Decimal("1000.00") - expected
    )
    charted = {r["name"]: r for r in portfolio_charts.ranked_clients(business, today)}
    assert charted["Acme"]["cost"] == expected
