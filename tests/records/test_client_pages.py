"""The client list and the client page: who sees what, sorting, and constant query counts."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import AbuseFlag, Assessment
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("assessments:client_list")


def count_queries(client, url) -> int:
    client.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def rich_client(business, staff, n_records=3, **fields):
    """A client with contacts, a flag, invoices, time, incidents and a completed review."""
    client = factories.client(business, **fields)
    contact = factories.contact(client)
    for i in range(n_records):
        factories.invoice(client, amount=Decimal("100.00") + i)
        factories.time_entry(client, user=staff)
        factories.incident(client, contact=contact, by=staff)
    AbuseFlag.objects.create(business=business, contact=contact, reason="Rude", raised_by=staff)
    Assessment.objects.create(
        business=business,
        client=client,
        status=Assessment.Status.COMPLETE,
        verdict="watch",
        completed_at=timezone.now(),
    )
    return client


def test_list_personas(anon_client, outsider_client, staff_client, owner_client, business):
    factories.client(business, name="Acme Secret")
    assert anon_client.get(LIST).status_code == 302
    assert "Acme Secret" not in outsider_client.get(LIST).content.decode()
    assert "Acme Secret" in staff_client.get(LIST).content.decode()
    assert "Acme Secret" in owner_client.get(LIST).content.decode()


def test_list_shows_money_to_owners_only(owner_client, staff_client, business, staff):
    client = rich_client(business, staff, name="Acme")
    owner_page = owner_client.get(LIST).content.decode()
    staff_page = staff_client.get(LIST).content.decode()
    for page in (owner_page, staff_page):
        assert "1 abuse flag" in page
        assert "verdict-watch" in page
    assert "303.00" in owner_page  # revenue: 100 + 101 + 102
    assert "Open balance" in owner_page
    assert "303.00" not in staff_page and "Open balance" not in staff_page
    # Staff cannot sort by money either: the choice falls back to the name.
    response = staff_client.get(LIST, {"sort": "-revenue"})
    assert response.status_code == 200
    assert "-revenue" not in response.content.decode()
    assert client.name in response.content.decode()


def test_search_and_status_filter(owner_client, business):
    factories.client(business, name="Acme Ltd")
    factories.client(business, name="Beta Co", status="offboarded")
    page = owner_client.get(LIST, {"q": "acme"}).content.decode()
    assert "Acme Ltd" in page and "Beta Co" not in page
    page = owner_client.get(LIST, {"status": "offboarded"}).content.decode()
    assert "Beta Co" in page and "Acme Ltd" not in page
    assert '<span class="badge client-status status-offboarded">Offboarded</span>' in page
    page = owner_client.get(LIST, {"q": "zzz"}).content.decode()
    assert "No client matches" in page
    # Nonsense parameters still list, never a 500.
    for params in ({"status": "nope"}, {"sort": "';drop"}, {"page": "-1"}, {"q": "x" * 500}):
        assert owner_client.get(LIST, params).status_code == 200


def names_in_order(response, names):
    page = response.content.decode()
    return [name for name in sorted(names, key=lambda n: page.index(f">Client-{n}</a>"))]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-revenue", ["Big", "Late", "Lossy"]),
        ("profit", ["Lossy", "Late", "Big"]),
        ("-profit", ["Big", "Late", "Lossy"]),
        ("-days_late", ["Late", "Big", "Lossy"]),
        ("-open_balance", ["Late", "Lossy", "Big"]),
        ("name", ["Big", "Late", "Lossy"]),
        ("-name", ["Lossy", "Late", "Big"]),
        ("since", ["Lossy", "Late", "Big"]),
        ("-since", ["Big", "Late", "Lossy"]),
    ],
)
def test_money_sorts_are_done_in_the_database(owner_client, business, sort, expected):
    today = timezone.localdate()
    big = factories.client(business, name="Client-Big", client_since=date(2020, 1, 1))
    late = factories.client(business, name="Client-Late", client_since=date(2019, 1, 1))
    lossy = factories.client(business, name="Client-Lossy", client_since=date(2018, 1, 1))
    # Big: 5,010 revenue; paid 29 days late; 10 open, not yet due.
    factories.invoice(big, amount=Decimal("5000"), paid_on=today - timedelta(days=1))
    factories.invoice(big, amount=Decimal("10"), issued_on=today, due_on=today + timedelta(30))
    # Late: 900 open and 170 days late.
    factories.invoice(late, amount=Decimal("900"), issued_on=today - timedelta(days=200))
    # Lossy: 100 open, 10 days late, and 500 of time: a loss of 400.
    factories.invoice(lossy, amount=Decimal("100"), issued_on=today - timedelta(days=40))
    factories.time_entry(lossy, minutes=600)
    response = owner_client.get(LIST, {"sort": sort})
    assert names_in_order(response, ["Big", "Late", "Lossy"]) == expected


def test_money_sort_paginates_correctly(owner_client, business):
    for i in range(55):
        client = factories.client(business, name=f"Client {i:02d}")
        factories.invoice(client, amount=Decimal(1000 + i))
    first = owner_client.get(LIST, {"sort": "-revenue"}).content.decode()
    second = owner_client.get(LIST, {"sort": "-revenue", "page": 2}).content.decode()
    assert "Client 54" in first and "Client 05" in first
    assert "Client 04" not in first
    for i in range(5):
        assert f"Client {i:02d}" in second
    assert "Client 05" not in second


@pytest.mark.parametrize("sort", ["name", "-revenue", "profit", "-days_late", "status"])
def test_list_queries_do_not_grow(owner_client, business, staff, sort):
    rich_client(business, staff, name="Client 0")
    url = f"{LIST}?sort={sort}"
    one = count_queries(owner_client, url)
    for i in range(1, 50):
        rich_client(business, staff, n_records=1 + i % 4, name=f"Client {i}")
    assert count_queries(owner_client, url) == one


def test_staff_list_queries_do_not_grow(staff_client, business, staff):
    rich_client(business, staff, name="Client 0")
    one = count_queries(staff_client, LIST)
    for i in range(1, 50):
        rich_client(business, staff, name=f"Client {i}")
    assert count_queries(staff_client, LIST) == one


def test_client_page_personas(anon_client, outsider_client, staff_client, owner_client, business):
    client = factories.client(business, name="Acme")
    url = client.get_absolute_url()
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 200
    assert owner_client.get(url).status_code == 200
    assert owner_client.get(reverse("assessments:client_detail", args=[999999])).status_code == 404


def test_client_page_content_for_owner_and_staff(owner_client, staff_client, business, staff):
    client = rich_client(business, staff, name="Acme")
    factories.invoice(client, number="DISPUTED-1", disputed=True, dispute_note="Haggled")
    owner_page = owner_client.get(client.get_absolute_url()).content.decode()
    staff_page = staff_client.get(client.get_absolute_url()).content.decode()
    for page in (owner_page, staff_page):
        assert "abuse-warning" in page and "Rude" in page
        assert "Complained about the last delivery." in page  # incidents in the timeline
        assert reverse("assessments:incident_create") + f"?client={client.pk}" in page
        assert "No review yet." not in page and "verdict-watch" in page
    # Owners: figures, chart, invoices; staff: none of it.
    assert "Figures, last 12 months" in owner_page and "<svg" in owner_page
    assert "DISPUTED-1" in owner_page and "Haggled" in owner_page
    assert "Open invoices by lateness" in owner_page
    for money in ("Figures, last 12 months", "<svg", "DISPUTED-1", "Add invoice", "cost 50.00"):
        assert money not in staff_page
    assert reverse("assessments:client_edit", args=[client.pk]) not in staff_page


def test_client_page_without_reviews_says_so(owner_client, business):
    client = factories.client(business)
    assert "No review yet." in owner_client.get(client.get_absolute_url()).content.decode()


def test_timeline_is_newest_first_and_shows_more(owner_client, business, staff):
    client = factories.client(business)
    today = timezone.localdate(timezone=business.tzinfo)
    for i in range(30):
        day = today - timedelta(days=i)
        factories.time_entry(client, date=day, note=f"work-{i}")
        factories.incident(
            client,
            occurred_at=datetime.combine(day, time(12, 0), tzinfo=business.tzinfo),
            description=f"event-{i}",
        )
    page = owner_client.get(client.get_absolute_url()).content.decode()
    assert page.index("work-0") < page.index("event-1") < page.index("work-2")
    assert "work-24" in page and "event-24" in page
    assert "work-26" not in page and "event-26" not in page
    assert "?timeline=2" in page
    page = owner_client.get(client.get_absolute_url(), {"timeline": 2}).content.decode()
    assert "work-29" in page and "event-29" in page
    assert "?timeline=3" not in page
    assert owner_client.get(client.get_absolute_url(), {"timeline": "x"}).status_code == 200


@pytest.mark.parametrize("as_owner", [True, False])
def test_client_page_queries_do_not_grow(owner_client, staff_client, business, staff, as_owner):
    member = owner_client if as_owner else staff_client
    client = rich_client(business, staff, n_records=1, name="Acme")
    url = client.get_absolute_url()
    one = count_queries(member, url)
    contact = factories.contact(client)
    for _ in range(50):
        factories.invoice(client)
        factories.time_entry(client, user=staff)
        factories.incident(client, contact=contact, by=staff)
        factories.contact(client)
    AbuseFlag.objects.create(business=business, contact=contact, reason="Again", raised_by=staff)
    assert count_queries(member, url) == one
