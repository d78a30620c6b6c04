"""The chart inputs computed in SQL draw exactly what every client's figures would draw."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import charts, figures
from assessments.queries import portfolio_charts
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(business):
    """45 clients: skewed trouble (incidents, whole hours of unbilled work) and revenue."""
    rng = random.Random(7)
    today = timezone.localdate()
    clients = []
    for i in range(45):
        client = factories.client(business, name=f"Client {i:02d}")
        clients.append(client)
        for _ in range(rng.choice((0, 0, 1, 3))):
            factories.invoice(client, amount=Decimal(rng.randint(1, 90) * 100))
        if rng.random() < 0.4:
            factories.time_entry(client, minutes=60 * rng.randint(1, 5), kind="rework")
        if rng.random() < 0.3:
            factories.time_entry(client, minutes=120, kind="billable")
    for client in rng.sample(clients, 12):
        for _ in range(rng.randint(1, 3)):
            factories.incident(client, severity=rng.choice(["low", "medium", "high", "critical"]))
    # Old and open: only the aging chart sees it.
    factories.invoice(
        clients[0], amount=Decimal("77.00"), issued_on=today - timedelta(days=500), paid_on=None
    )
    return clients


def _everyone(business, clients):
    sums = figures.summaries(business)
    rows = []
    for c in clients:
        s = sums.get(c.pk) or figures.Summary(client_id=c.pk)
        rows.append((c.name, s.trouble_score, s.revenue))
    return rows


def test_pareto_from_sql_draws_what_all_clients_draw(business, spread):
    rows = portfolio_charts.ranked_clients(business, timezone.localdate())
    everyone = sorted(_everyone(business, spread), key=lambda r: (-r[1], r[0]))
    expected = charts.pareto_chart(everyone, title="T", chart_id="p")
    assert charts.pareto_chart(portfolio_charts.pareto_items(rows), title="T", chart_id="p") == (
        expected
    )
    # Only the named rows came back from the database, not one per client.
    assert len(rows) < len(spread)
    assert "Others (25)" in expected


def test_share_from_sql_draws_what_all_clients_draw(business, spread):
    rows = portfolio_charts.ranked_clients(business, timezone.localdate())
    everyone = _everyone(business, spread)
    total = sum(r[2] for r in everyone)
    earning = sorted(((n, r / total) for n, _t, r in everyone if r > 0), key=lambda r: -r[1])
    expected = charts.share_chart(earning, title="S", chart_id="s")
    got = charts.share_chart(portfolio_charts.share_items(rows), title="S", chart_id="s")
    assert got == expected


def test_aging_buckets(business):
    today = timezone.localdate()
    client = factories.client(business)
    for days_late, amount in [(-5, "1"), (0, "2"), (10, "4"), (45, "8"), (95, "16"), (400, "32")]:
        due = today - timedelta(days=days_late)
        factories.invoice(
            client, amount=Decimal(amount), issued_on=due - timedelta(days=30), due_on=due
        )
    factories.invoice(client, amount=Decimal("64"), paid_on=today)  # paid: not owed
    got = portfolio_charts.aging(business, today)
    assert got == {
        "current": Decimal("3.00"),
        "1-30": Decimal("4.00"),
        "31-60": Decimal("8.00"),
        "61-90": Decimal("0.00"),
        "91-120": Decimal("16.00"),
        "120+": Decimal("32.00"),
    }


def test_no_clients_draws_empty_charts(business):
    drawn = portfolio_charts.build_charts(business, timezone.localdate())
    assert "No data yet" in drawn.pareto
    assert drawn.total_revenue == Decimal("0.00")
    assert drawn.concentrated == []


def test_concentration_names_every_client_at_or_past_thirty_percent(business):
    for name, amount in [("A", "300"), ("B", "300"), ("C", "400")]:
        factories.invoice(factories.client(business, name=name), amount=Decimal(amount))
    drawn = portfolio_charts.build_charts(business, timezone.localdate())
    assert [(c.name, c.percent) for c in drawn.concentrated] == [("C", 40), ("A", 30), ("B", 30)]
