"""The figures module against hand-computed values."""

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import figures
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2028, 3, 1)  # 2028 is a leap year: 29 February 2028 exists.


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme", payment_terms_days=30)


def test_lateness_to_payment_and_to_today_across_a_leap_day(acme):
    # Paid 10 days late: due 2028-02-20, paid 2028-03-01 (29 Feb in between counts).
    factories.invoice(
        acme,
        number="A1",
        issued_on=date(2028, 1, 21),
        due_on=date(2028, 2, 20),
        paid_on=date(2028, 3, 1),
        amount=Decimal("100.00"),
    )
    # Open and 30 days overdue: due 2028-01-31 -> today 2028-03-01 = 30 days (leap year).
    factories.invoice(
        acme,
        number="A2",
        issued_on=date(2028, 1, 1),
        due_on=date(2028, 1, 31),
        amount=Decimal("250.50"),
    )
    # Open but not yet due: not late, counts towards the balance only.
    factories.invoice(
        acme,
        number="A3",
        issued_on=date(2028, 2, 25),
        due_on=date(2028, 3, 26),
        amount=Decimal("49.50"),
    )
    # Paid early: 0 days late, 5 days to pay.
    factories.invoice(
        acme,
        number="A4",
        issued_on=date(2027, 12, 1),
        due_on=date(2027, 12, 31),
        paid_on=date(2027, 12, 6),
        amount=Decimal("600.00"),
    )
    s = figures.summaries(acme.business, [acme.pk], today=TODAY)[acme.pk]
    assert s.revenue == Decimal("1000.00")
    assert s.open_balance == Decimal("300.00")
    assert s.overdue_balance == Decimal("250.50")
    assert s.invoices == 4
    assert s.paid_invoices == 2
    # Late invoices: A1 (10 days) and A2 (30 days).
    assert s.late_invoices == 2
    # Average over paid or overdue invoices: A1 10, A2 30, A4 0 -> 40/3.
    assert s.avg_days_late == pytest.approx(13.3, abs=0.05)
    assert s.worst_days_late == 30
    # Days to pay: A1 40 days (21 Jan -> 1 Mar 2028 across 29 Feb), A4 5 days.
    assert s.avg_days_to_pay == pytest.approx(22.5)
    assert s.share == Decimal("1.0000")
    # Without the share (the client list), the same figures and no business total.
    with CaptureQueriesContext(connection) as queries:
        bare = figures.summaries(acme.business, [acme.pk], today=TODAY, with_share=False)
    assert bare[acme.pk] == dataclasses.replace(s, share=None)
    assert len(queries.captured_queries) == 4


def test_revenue_window_cost_profit_and_share(business, acme):
    other = factories.client(business, name="Other")
    factories.invoice(
        acme, issued_on=TODAY - timedelta(days=10), amount=Decimal("1200.00"), paid_on=TODAY
    )
    # Issued 366 days ago: outside the 12-month window.
    factories.invoice(
        acme, issued_on=TODAY - timedelta(days=366), amount=Decimal("5000.00"), paid_on=TODAY
    )
    factories.invoice(
        other, issued_on=TODAY - timedelta(days=20), amount=Decimal("2800.00"), paid_on=TODAY
    )
    # 90 min at 40/h = 60.00; 30 min unbilled at 50/h = 25.00; an old entry outside the window.
    factories.time_entry(
        acme, date=TODAY - timedelta(days=5), minutes=90, cost_rate=Decimal("40.00")
    )
    factories.time_entry(
        acme,
        date=TODAY - timedelta(days=6),
        minutes=30,
        kind="hand_holding",
        cost_rate=Decimal("50.00"),
    )
    factories.time_entry(
        acme, date=TODAY - timedelta(days=400), minutes=600, cost_rate=Decimal("50.00")
    )
    s = figures.summaries(business, today=TODAY)
    assert s[acme.pk].revenue == Decimal("1200.00")
    assert s[acme.pk].cost == Decimal("85.00")
    assert s[acme.pk].profit == Decimal("1115.00")
    assert s[acme.pk].unbilled_minutes == 30
    assert s[acme.pk].share == Decimal("0.3000")
    assert s[other.pk].share == Decimal("0.7000")


def test_client_figures_months_aging_and_incident_counts(acme, owner):
    factories.invoice(
        acme,
        number="M1",
        issued_on=date(2028, 2, 29),
        due_on=date(2028, 3, 30),
        amount=Decimal("300.00"),
    )
    factories.invoice(
        acme,
        number="M2",
        issued_on=date(2027, 10, 1),
        due_on=date(2027, 10, 31),
        amount=Decimal("700.00"),
    )  # open, 122 days late -> 120+
    factories.invoice(
        acme,
        number="M3",
        issued_on=date(2027, 12, 1),
        due_on=date(2027, 12, 31),
        amount=Decimal("100.00"),
    )  # open, 61 days late -> 61-90
    factories.time_entry(acme, date=date(2028, 2, 10), minutes=120, cost_rate=Decimal("45.00"))
    now = timezone.now()
    factories.incident(acme, by=owner, category="complaint", occurred_at=now - timedelta(days=3))
    factories.incident(acme, by=owner, category="complaint", occurred_at=now - timedelta(days=100))
    factories.incident(acme, by=owner, category="out_of_hours", occurred_at=now - timedelta(days=2))
    factories.incident(
        acme,
        by=owner,
        category="verbal_abuse",
        outside_hours=True,
        occurred_at=now - timedelta(days=200),
    )
    fig = figures.client_figures(acme, today=TODAY)
    assert fig.months[0] == date(2027, 4, 1) and fig.months[-1] == date(2028, 3, 1)
    feb = fig.months.index(date(2028, 2, 1))
    assert fig.revenue_by_month[feb] == Decimal("300.00")
    assert fig.cost_by_month[feb] == Decimal("90.00")
    assert fig.revenue_by_month[fig.months.index(date(2027, 10, 1))] == Decimal("700.00")
    assert fig.aging == {
        "current": Decimal("300.00"),
        "1-30": Decimal("0.00"),
        "31-60": Decimal("0.00"),
        "61-90": Decimal("100.00"),
        "91-120": Decimal("0.00"),
        "120+": Decimal("700.00"),
    }
    assert fig.incidents_90d == {"complaint": 1, "out_of_hours": 1}
    assert fig.incidents_12m == {"complaint": 2, "out_of_hours": 1, "verbal_abuse": 1}
    assert fig.out_of_hours_90d == 1 and fig.out_of_hours_12m == 2
    assert [i.number for i in fig.recent_invoices] == ["M2", "M3", "M1"]
    assert [i.days_late for i in fig.recent_invoices] == [122, 61, 0]


def test_a_client_with_no_records_has_zero_figures(acme):
    fig = figures.client_figures(acme, today=TODAY)
    assert fig.summary.revenue == Decimal("0.00")
    assert fig.summary.avg_days_late is None
    assert fig.share is None
    assert sum(fig.revenue_by_month) == 0


@pytest.mark.parametrize("rows", [1, 30])
def test_query_count_does_not_grow(acme, owner, rows, django_assert_num_queries):
    for i in range(rows):
        factories.invoice(acme, issued_on=TODAY - timedelta(days=i * 7), amount=Decimal("10.00"))
        factories.time_entry(acme, date=TODAY - timedelta(days=i))
        acme.expenses.create(business=acme.business, date=TODAY - timedelta(days=i), amount=1)
    with django_assert_num_queries(2):
        figures.client_figures(acme, today=TODAY)
    with django_assert_num_queries(1):
        figures.client_figures(acme, today=TODAY, recent_invoices=0)
    # One grouped query per table: invoices, time, expenses, incidents, and the total.
    with django_assert_num_queries(5):
        figures.summaries(acme.business, today=TODAY)


def test_client_figures_agree_with_the_portfolio_summaries(acme, owner):
    factories.invoice(
        acme,
        issued_on=TODAY - timedelta(days=100),
        due_on=TODAY - timedelta(days=70),
        paid_on=TODAY - timedelta(days=5),
        amount=Decimal("123.45"),
        disputed=True,
    )
    factories.invoice(
        acme,
        issued_on=TODAY - timedelta(days=20),
        amount=Decimal("99.99"),
        discount_pushed=Decimal("10.00"),
    )
    factories.time_entry(acme, date=TODAY - timedelta(days=3), minutes=45, kind="rework")
    factories.incident(
        acme, by=owner, severity="critical", occurred_at=timezone.now() - timedelta(days=1)
    )
    detail = figures.client_figures(acme, today=TODAY).summary
    assert detail == figures.summaries(acme.business, [acme.pk], today=TODAY)[acme.pk]


def test_one_clients_figures_equal_the_figures_of_every_client(business, acme):
    """The client page's and the plan's path (`only`, compiled once) reads the same as the
    early warning's path over every client, for a client with every kind of record."""
    from assessments.figures import with_figures
    from assessments.models import Client, Expense

    other = factories.client(business, name="Other")
    today = timezone.localdate()
    for client, amount in ((acme, "1200.00"), (other, "80.00")):
        factories.invoice(
            client,
            issued_on=today - timedelta(days=70),
            due_on=today - timedelta(days=40),
            amount=Decimal(amount),
        )
        factories.time_entry(client, minutes=150)
        factories.incident(client, occurred_at=timezone.now() - timedelta(days=20))
    Expense.objects.create(
        business=business, client=acme, date=today - timedelta(days=3), amount=Decimal("19.99")
    )
    names = ("fig_inv", "fig_tim", "fig_exp", "fig_inc", "fig_total")
    every = {
        row["pk"]: row
        for row in with_figures(Client.objects.filter(business=business)).values("pk", *names)
    }
    for client in (acme, other):
        one = (
            with_figures(Client.objects.filter(pk=client.pk), only=(business.pk, client.pk))
            .values("pk", *names)
            .get()
        )
        assert one == every[client.pk]
    assert every[acme.pk]["fig_inv"]["revenue"] is not None
