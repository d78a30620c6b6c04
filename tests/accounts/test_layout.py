"""The navigation bar is drawn once per visitor and process (`{% per_visitor %}`), and
shows every change to what it shows on the very next page."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Membership
from accounts.templatetags.layout import kept
from clientreview.lib.lru import Lru
from tests import factories

pytestmark = pytest.mark.django_db

INCIDENTS = reverse("assessments:incident_list")
TEAM = reverse("accounts:team")


def _nav(http: HttpClient, url: str = INCIDENTS) -> str:
    page = http.get(url).content.decode()
    return page[page.index("<nav") : page.index("</nav>")]


def test_a_visitors_navigation_is_drawn_once(owner_client):
    first = _nav(owner_client)
    key = next(k for k in kept.items if k[0] == "assessments/incidents/list.html")
    kept.put(key, kept.get(key).replace("Olga", "Kept copy"))
    assert "Olga" in first
    assert "Kept copy" in _nav(owner_client)  # served from what was kept


def test_each_visitor_sees_their_own_name_and_menu(owner_client, staff_client):
    owner_nav, staff_nav = _nav(owner_client), _nav(staff_client)
    assert "Olga" in owner_nav, owner_nav
    assert "Stan" not in owner_nav
    assert TEAM in owner_nav
    assert "Stan" in staff_nav
    assert "Olga" not in staff_nav
    assert TEAM not in staff_nav


def test_a_change_to_what_it_shows_shows_at_once(owner, owner_client, business):
    _nav(owner_client)
    owner.name = "Olivia Owner"
    owner.save()
    assert "Olivia" in _nav(owner_client)
    business.name = "Alpha Renamed"
    business.save()
    assert "Alpha Renamed" in _nav(owner_client)
    Membership.objects.filter(user=owner).update(role="staff")
    factories.business(name="Ignored")  # a business the owner is not in
    assert TEAM not in _nav(owner_client)


def test_joining_a_business_adds_the_switcher(owner, owner_client):
    assert "Beta Builders" not in _nav(owner_client)
    Membership.objects.create(user=owner, business=factories.business(name="Beta Builders"))
    assert "Beta Builders" in _nav(owner_client)


def test_the_language_is_part_of_what_is_kept(owner_client):
    assert "Log out" in _nav(owner_client)
    owner_client.cookies["django_language"] = "el"
    greek = _nav(owner_client)
    assert "Log out" not in greek and "Αποσύνδεση" in greek


def test_each_session_gets_its_own_token_and_logging_out_works(owner):
    sessions = [HttpClient(enforce_csrf_checks=True) for _ in range(2)]
    tokens = []
    for http in sessions:
        http.force_login(owner, backend="accounts.backends.MemberBackend")
        nav = _nav(http)
        found = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', nav))
        assert len(found) == 1 and "csrf-token-set-per-request" not in nav
        tokens.append(found.pop())
    assert tokens[0] != tokens[1]
    response = sessions[1].post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302
    assert sessions[1].get(INCIDENTS).status_code == 302  # logged out
    assert sessions[0].get(INCIDENTS).status_code == 200


def test_anonymous_pages_are_drawn_as_usual(anon_client):
    before = len(kept.items)
    page = anon_client.get(reverse("accounts:login")).content.decode()
    assert "<nav" in page and len(kept.items) == before


def test_what_is_kept_is_bounded():
    small = Lru(2)
    for n in range(3):
        small.put((n,), str(n))
    small.get((1,))
    small.put((3,), "3")
    assert small.get((0,)) is None and small.get((2,)) is None
    assert small.get((1,)) == "1" and small.get((3,)) == "3"
