"""The portfolio's CSV export: personas, content, the injection guard, the audit log."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from assessments.views import portfolio as portfolio_views
from tests import factories
from tests.portfolio.test_portfolio import _flag, _money_client, _review

pytestmark = pytest.mark.django_db

URL = reverse("assessments:portfolio_csv")


def _read(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="portfolio-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so spreadsheet programs read the names as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_anonymous_is_sent_to_login(anon_client):
    response = anon_client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_staff_may_not_export(staff_client, business):
    _money_client(business, "Acme Ltd", revenue="100.00")
    assert staff_client.get(URL).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_outsider_exports_only_their_own(outsider_client, business, other_business):
    _money_client(business, "Alpha Secret Client", revenue="100.00")
    _money_client(other_business, "Beta Client", revenue="100.00")
    rows = _read(outsider_client.get(URL))
    assert [r[0] for r in rows[1:]] == ["Beta Client"]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.business == other_business


def test_owner_export_has_every_column_and_is_logged(owner_client, owner, business):
    acme = _money_client(business, "Ελένη Παπαδοπούλου ΑΕ", revenue="1000.00", cost_hours=30)
    factories.invoice(acme, amount=Decimal("500.00"), paid_on=None)
    _review(acme, "fire", yes=["verbal_abuse", "complains"])
    _flag(acme)
    _money_client(business, "김민준 상사", revenue="500.00")
    rows = _read(owner_client.get(URL + "?sort=revenue&order=desc"))
    header, first, second = rows
    assert header == [
        "Client",
        "Status",
        "Latest verdict",
        "Reviewed on",
        "Confirmed flags",
        "Confirmed flags (titles)",
        "Revenue, 12 months (EUR)",
        "Cost to serve, 12 months (EUR)",
        "Profit, 12 months (EUR)",
        "Average days late",
        "Open balance (EUR)",
        "Share of revenue (%)",
        "Open abuse flag",
    ]
    assert first[0] == "Ελένη Παπαδοπούλου ΑΕ"
    assert first[1:3] == ["Active", "Fire"]
    assert first[4:6] == ["2", "Verbally abusive or harassing; Constantly complains"]
    assert first[6:9] == ["1500.00", "1500.00", "0.00"]
    assert first[10] == "1500.00"
    assert first[11] == "75.0"
    assert first[12] == "yes"
    assert second[0] == "김민준 상사" and second[2] == "" and second[12] == "no"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.actor == owner and "Portfolio CSV" in event.detail


def test_negative_profit_stays_a_number(owner_client, business):
    _money_client(business, "Costly Co", revenue="100.00", cost_hours=10)
    row = _read(owner_client.get(URL))[1]
    assert row[8] == "-400.00"


def test_same_filters_and_sort_as_the_page(owner_client, business):
    for name, revenue in [("Low", "10.00"), ("High", "900.00"), ("Mid", "300.00")]:
        _money_client(business, name, revenue=revenue)
    fired = _money_client(business, "Fired", revenue="50.00")
    _review(fired, "fire")
    names = [r[0] for r in _read(owner_client.get(URL + "?sort=revenue&order=desc"))[1:]]
    assert names == ["High", "Mid", "Fired", "Low"]
    assert [r[0] for r in _read(owner_client.get(URL + "?verdict=fire"))[1:]] == ["Fired"]
    assert [r[0] for r in _read(owner_client.get(URL + "?q=i"))[1:]] == ["Fired", "High", "Mid"]


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ('=HYPERLINK("http://evil.test","x")', '\'=HYPERLINK("http://evil.test","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("Plain & Sons", "Plain & Sons"),
    ],
)
def test_formula_names_are_defused(owner_client, business, name, written):
    _money_client(business, name, revenue="10.00")
    assert _read(owner_client.get(URL))[1][0] == written


def test_safe_cell_guards_tabs_and_returns():
    assert portfolio_views.safe_cell("\t=1") == "'\t=1"
    assert portfolio_views.safe_cell("\r=1") == "'\r=1"
    assert portfolio_views.safe_cell(None) == ""


def test_export_streams_every_row_in_chunks_with_constant_queries(
    owner_client, business, monkeypatch
):
    monkeypatch.setattr(portfolio_views, "CSV_CHUNK", 10)
    _read(owner_client.get(URL))  # the first request of a session saves it
    made = 0
    for total in (5, 50):
        for i in range(made, total):
            client = _money_client(business, f"C{i:02d}", revenue="10.00")
            _review(client, "watch", yes=["complains"])
        made = total
        with CaptureQueriesContext(connection) as ctx:
            rows = _read(owner_client.get(URL))
        assert len(rows) - 1 == total
        assert all(r[4] == "1" for r in rows[1:])
        chunks = -(-total // 10)
        # Besides the session, the user and the memberships: the audit event, the revenue
        # total, the clients (one query, read in chunks), then one query of flags per chunk.
        who = ("django_session", "accounts_membership", 'FROM "accounts_user"')
        own = [q for q in ctx.captured_queries if not any(t in q["sql"] for t in who)]
        assert len(own) == 3 + chunks
