"""The staff home page: one big button, what they logged, the open abuse flags."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.services.flags import clear_flag, flag_contact
from assessments.views.home import HOME_FLAGS
from tests import factories

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def test_anonymous_is_sent_to_login(anon_client):
    response = anon_client.get(HOME)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_staff_home(staff_client, staff, owner, business):
    acme = factories.client(business, name="Acme Ltd")
    jane = factories.contact(acme, name="Jane Doe")
    mine = [factories.incident(acme, by=staff, description=f"mine {n}") for n in range(11)]
    factories.incident(acme, by=owner, category="threat")
    flag_contact(contact=jane, raised_by=staff, reason="Shouts at everyone")
    cleared = flag_contact(
        contact=factories.contact(acme, name="Old Bob"), raised_by=staff, reason="x"
    )
    clear_flag(cleared, cleared_by=owner, reason="Fine now")

    response = staff_client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("assessments:incident_create") in html
    assert "Log an incident" in html
    shown = [i.pk for i in response.context["recent"]]
    assert shown == [i.pk for i in reversed(mine[1:])]  # the last 10, newest first
    assert "Threat" not in html  # the owner's incident is not "mine"
    assert "Contact Jane Doe was flagged abusive" in html and "Acme Ltd" in html
    assert "Old Bob" not in html


def test_owner_gets_the_owner_home(owner_client, business):
    response = owner_client.get(HOME)
    assert response.status_code == 200
    assert "assessments/portfolio/home.html" in [t.name for t in response.templates]
    assert "recent" not in response.context


def test_outsider_sees_nothing_of_business_a(outsider_client, business, staff):
    acme = factories.client(business, name="Acme Ltd")
    flag_contact(contact=factories.contact(acme, name="Jane Doe"), raised_by=staff, reason="x")
    html = outsider_client.get(HOME).content.decode()
    assert "Jane Doe" not in html and "Acme Ltd" not in html


def test_staff_home_queries_do_not_grow(staff_client, staff, business, django_assert_num_queries):
    acme = factories.client(business)

    def add_some():
        contact = factories.contact(acme)
        factories.incident(acme, by=staff, contact=contact)
        flag_contact(contact=contact, raised_by=staff, reason="Rude")

    for _ in range(HOME_FLAGS):
        add_some()
    staff_client.get(HOME)
    cache.clear()  # the page computed, not served from the cache
    with CaptureQueriesContext(connection) as one:
        staff_client.get(HOME)
    for _ in range(20):
        add_some()
    cache.clear()
    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(HOME)
    assert len(response.context["recent"]) == 10
    assert len(response.context["flags"]) == HOME_FLAGS


def test_only_the_newest_flags_are_shown_with_a_link_to_all(staff_client, staff, business):
    acme = factories.client(business, name="Acme Ltd")
    names = [f"Person {n:02d}" for n in range(HOME_FLAGS + 3)]
    for name in names:
        flag_contact(contact=factories.contact(acme, name=name), raised_by=staff, reason="Rude")
    html = staff_client.get(HOME).content.decode()
    newest = names[-HOME_FLAGS:]
    assert all(f"Contact {name} was flagged" in html for name in newest)
    assert not any(name in html for name in names[:-HOME_FLAGS])
    assert f"The newest {HOME_FLAGS} of {len(names)} open abuse flags." in html
    assert reverse("assessments:flag_list") + '">See them all' in html


def test_no_link_to_more_when_every_open_flag_is_shown(staff_client, staff, business):
    acme = factories.client(business, name="Acme Ltd")
    for n in range(HOME_FLAGS):
        flag_contact(contact=factories.contact(acme), raised_by=staff, reason="Rude")
    html = staff_client.get(HOME).content.decode()
    assert html.count("abuse-warning") == HOME_FLAGS and "See them all" not in html


def test_a_new_flag_shows_at_once(staff_client, staff, business):
    acme = factories.client(business, name="Acme Ltd")
    factories.incident(acme, by=staff, description="first")
    assert staff_client.get(HOME).status_code == 200
    flag_contact(contact=factories.contact(acme, name="New Nick"), raised_by=staff, reason="x")
    assert "Contact New Nick was flagged" in staff_client.get(HOME).content.decode()


def test_each_staff_member_sees_what_they_logged(staff_client, staff, business):
    colleague = factories.member(business, email="colleague@alpha.test", role="staff")
    acme = factories.client(business, name="Acme Ltd")
    factories.incident(acme, by=staff, category="threat")
    factories.incident(acme, by=colleague, category="complaint")
    staff_client.get(HOME)
    theirs = HttpClient()
    theirs.force_login(colleague, backend="django.contrib.auth.backends.ModelBackend")
    html = theirs.get(HOME).content.decode()
    assert "Complaint" in html and "Threat" not in html
