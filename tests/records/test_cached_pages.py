"""The client list and the figures on a client page are cached per business version.

A change to anything they show (a client, an invoice, time, an incident, a review, a
flag, the business's settings) shows on the next request; staff never receive what
was cached for owners; a warm page runs only the queries every logged-in page runs
plus its own live parts.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from tests import factories
from tests.records.test_clients import client_data

pytestmark = pytest.mark.django_db

LIST = reverse("assessments:client_list")


def _page_queries(ctx) -> list[str]:
    """Queries other than the session and the user with memberships."""
    who = ("django_session", "accounts_membership", "accounts_user")
    return [q["sql"] for q in ctx.captured_queries if not any(t in q["sql"] for t in who)]


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx)


@pytest.mark.real_on_commit
def test_the_list_shows_a_change_once_it_is_committed(
    owner_client, business, django_capture_on_commit_callbacks
):
    acme = factories.client(business, name="Acme Ltd")
    assert "4,321.00" not in owner_client.get(LIST).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        factories.invoice(acme, amount=Decimal("4321.00"))
        # Until the commit the cached page is what everyone else would see too.
        assert "4,321.00" not in owner_client.get(LIST).content.decode()
    for callback in callbacks:
        callback()
    assert "4,321.00" in owner_client.get(LIST).content.decode()


def test_the_list_shows_a_change_at_once(
    owner_client, business, django_capture_on_commit_callbacks
):
    acme = factories.client(business, name="Acme Ltd")
    assert "Acme Ltd" in owner_client.get(LIST).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        factories.invoice(acme, amount=Decimal("4321.00"))
        factories.client(business, name="Brand New Co")
    page = owner_client.get(LIST).content.decode()
    assert "4,321.00" in page and "Brand New Co" in page


def test_staff_never_get_the_owners_cached_list(owner_client, staff_client, business):
    acme = factories.client(business, name="Acme Ltd")
    factories.invoice(acme, amount=Decimal("4321.00"))
    assert "4,321.00" in owner_client.get(LIST).content.decode()
    staff_page = staff_client.get(LIST).content.decode()
    assert "Acme Ltd" in staff_page
    assert "4,321.00" not in staff_page and "Revenue, 12 months" not in staff_page


def test_each_query_has_its_own_entry(owner_client, business):
    factories.client(business, name="Acme Ltd")
    factories.client(business, name="Zed Co")
    assert "Zed Co" not in owner_client.get(LIST, {"q": "acme"}).content.decode()
    assert "Zed Co" in owner_client.get(LIST).content.decode()
    page = owner_client.get(LIST, {"sort": "-name"}).content.decode()
    assert page.index("Zed Co") < page.index("Acme Ltd")


def test_a_warm_list_runs_only_the_session_queries(owner_client, business):
    for n in range(3):
        factories.invoice(factories.client(business, name=f"Client {n}"))
    owner_client.get(LIST)  # settles the session
    cache.clear()
    cold = _queries(owner_client, LIST)
    with CaptureQueriesContext(connection) as ctx:
        assert owner_client.get(LIST).status_code == 200
    # At most the session and the user with memberships (none once remembered, with Redis).
    assert len(ctx) <= 2 < cold
    assert _page_queries(ctx) == []


def test_client_figures_show_a_change_at_once(
    owner_client, business, django_capture_on_commit_callbacks
):
    acme = factories.client(business, name="Acme Ltd")
    factories.invoice(acme, amount=Decimal("1000.00"))
    url = acme.get_absolute_url()
    assert "1,000.00" in owner_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        factories.invoice(acme, amount=Decimal("234.00"))
    assert "1,234.00" in owner_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        business.currency = "CHF"
        business.save()
    assert "(CHF)" in owner_client.get(url).content.decode()


def test_cached_figures_stay_with_their_client_and_business(
    owner_client, outsider_client, staff_client, business
):
    acme = factories.client(business, name="Acme Ltd")
    factories.invoice(acme, amount=Decimal("777.00"))
    other = factories.client(business, name="Other Co")
    assert "777.00" in owner_client.get(acme.get_absolute_url()).content.decode()
    assert "777.00" not in owner_client.get(other.get_absolute_url()).content.decode()
    # The cached figures are never a way in: another business still gets a 404.
    assert outsider_client.get(acme.get_absolute_url()).status_code == 404
    staff_page = staff_client.get(acme.get_absolute_url()).content.decode()
    assert "777.00" not in staff_page and "Figures, last 12 months" not in staff_page


def test_a_warm_client_page_only_checks_the_client(owner_client, business):
    acme = factories.client(business, name="Acme Ltd")
    factories.invoice(acme)
    url = acme.get_absolute_url()
    owner_client.get(url)  # settles the session
    cache.clear()
    cold = _queries(owner_client, url)
    with CaptureQueriesContext(connection) as ctx:
        assert owner_client.get(url).status_code == 200
    # A cached page was built after the client was found in this business; deleting it
    # starts a new version, so the hit needs no lookup.
    assert len(ctx) <= 2 < cold
    assert _page_queries(ctx) == []


def test_forms_on_a_cached_page_carry_this_visitors_token(owner, business):
    acme = factories.client(business, name="Acme Ltd")
    invoice = factories.invoice(acme)
    url = acme.get_absolute_url()
    first, second = HttpClient(enforce_csrf_checks=True), HttpClient(enforce_csrf_checks=True)
    for http in (first, second):
        http.force_login(owner, backend="accounts.backends.MemberBackend")
    first.get(url)  # builds and caches the page
    page = second.get(url).content.decode()  # served from the cache
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert tokens and "csrf-token-set-per-request" not in page
    paid = reverse("assessments:invoice_mark_paid", args=[invoice.pk])
    response = second.post(
        paid, {"paid_on": timezone.localdate().isoformat(), "csrfmiddlewaretoken": tokens[0]}
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.paid_on == timezone.localdate()


def test_typed_text_cannot_pose_as_the_token(owner_client, business):
    acme = factories.client(business, name="Acme Ltd", notes="csrf-token-set-per-request")
    owner_client.get(acme.get_absolute_url())
    page = owner_client.get(acme.get_absolute_url()).content.decode()
    assert "csrf-token-set-per-request" in page  # the note, shown as typed


def test_each_staff_member_sees_edit_links_on_their_own_time(business, staff):
    acme = factories.client(business, name="Acme Ltd")
    own = factories.time_entry(acme, user=staff)
    colleague = factories.member(business, email="colleague@alpha.test", role="staff")
    theirs = factories.time_entry(acme, user=colleague)
    pages = {}
    for member in (staff, colleague, staff):
        http = HttpClient()
        http.force_login(member, backend="accounts.backends.MemberBackend")
        pages[member.pk] = http.get(acme.get_absolute_url()).content.decode()
    edit = lambda entry: reverse("assessments:time_edit", args=[entry.pk])  # noqa: E731
    assert edit(own) in pages[staff.pk] and edit(theirs) not in pages[staff.pk]
    assert edit(theirs) in pages[colleague.pk] and edit(own) not in pages[colleague.pk]


def test_a_new_contact_shows_at_once(owner_client, business, django_capture_on_commit_callbacks):
    acme = factories.client(business, name="Acme Ltd")
    url = acme.get_absolute_url()
    assert "No contacts yet." in owner_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        factories.contact(acme, name="Jane Doe")
    assert "Jane Doe" in owner_client.get(url).content.decode()


def test_a_message_shows_once_and_its_page_is_not_kept(owner_client, business):
    owner_client.get(LIST)
    response = owner_client.post(reverse("assessments:client_create"), client_data(name="Fresh Co"))
    assert response.status_code == 302
    added = "Client Fresh Co added."
    assert added in owner_client.get(response["Location"]).content.decode()
    assert added not in owner_client.get(response["Location"]).content.decode()
    assert added not in owner_client.get(LIST).content.decode()


def test_the_layout_is_each_visitors_own(business, owner):
    second = factories.member(business, email="second@alpha.test", role="owner", name="Sam Second")
    factories.client(business, name="Acme Ltd")
    pages = {}
    for user in (owner, second):
        http = HttpClient()
        http.force_login(user, backend="accounts.backends.MemberBackend")
        for url in (LIST, reverse("home")):
            http.get(url)
            pages[user.email, url] = http.get(url).content.decode()
    for url in (LIST, reverse("home")):
        assert (
            "Olga" in pages["owner@alpha.test", url] and "Sam" not in pages["owner@alpha.test", url]
        )
        assert (
            "Sam" in pages["second@alpha.test", url]
            and "Olga" not in pages["second@alpha.test", url]
        )


def test_joining_another_business_shows_in_the_layout_at_once(owner_client, owner, business):
    owner_client.get(LIST)
    assert "Beta Builders" not in owner_client.get(LIST).content.decode()
    Membership.objects.create(user=owner, business=factories.business(name="Beta Builders"))
    page = owner_client.get(LIST).content.decode()
    assert "Beta Builders" in page  # the business switcher
