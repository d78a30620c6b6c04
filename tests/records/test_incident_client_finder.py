"""Logging an incident in a business with many clients: find the client first.

Up to `CLIENT_LIST_MAX` clients the form lists them all; beyond it the first step is a
search (by client or contact name) with the clients most recently in the log, and the
form then offers only the chosen and the recent clients, and their contacts. The limit
is lowered here so that a handful of clients counts as many.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.forms import incidents as incident_forms
from assessments.models import Incident
from tests import factories
from tests.records.test_incidents import form_data

pytestmark = pytest.mark.django_db

URL = reverse("assessments:incident_create")


@pytest.fixture(autouse=True)
def many_clients(monkeypatch):
    monkeypatch.setattr(incident_forms, "CLIENT_LIST_MAX", 3)


@pytest.fixture
def clients(business):
    names = ["Acme Ltd", "Brick & Co", "Crane Hire", "Delta Freight", "Echo Media"]
    return {name: factories.client(business, name=name) for name in names}


def _offered(response) -> list[str]:
    """The client names the form's select offers, in order."""
    form = response.context["form"]
    return [label for value, label in form.fields["client"].widget.choices if value != ""]


def test_the_first_step_lists_recent_clients_and_no_form(staff_client, clients):
    now = timezone.now()
    factories.incident(clients["Crane Hire"], occurred_at=now - timedelta(days=3))
    factories.incident(clients["Echo Media"], occurred_at=now - timedelta(days=1))
    factories.incident(clients["Crane Hire"], occurred_at=now - timedelta(days=2))
    response = staff_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "First, which client is it about?" in page
    assert 'name="category"' not in page  # no form until the client is known
    assert response.context["recent"] == [
        (clients["Echo Media"].pk, "Echo Media"),
        (clients["Crane Hire"].pk, "Crane Hire"),
    ]
    assert f'href="?client={clients["Echo Media"].pk}"' in page
    assert "Acme Ltd" not in page  # never in the log, not searched for


def test_search_by_client_or_contact_name_starts_with_first(staff_client, clients):
    factories.contact(clients["Delta Freight"], name="Rita Crane")
    response = staff_client.get(URL, {"q": "crane"})
    assert [c.name for c in response.context["matches"]] == ["Crane Hire", "Delta Freight"]
    page = response.content.decode()
    assert f'href="?client={clients["Crane Hire"].pk}"' in page
    assert "Clients matching “crane”" in page
    assert page.count('<span class="badge client-status status-active">Active</span>') == 2
    # Wildcards are text, not patterns.
    assert list(staff_client.get(URL, {"q": "%"}).context["matches"]) == []
    response = staff_client.get(URL, {"q": "&"})
    assert [c.pk for c in response.context["matches"]] == [clients["Brick & Co"].pk]
    assert "Brick &amp; Co" in response.content.decode()
    assert (
        "No client or contact has that in their name"
        in staff_client.get(URL, {"q": "zzz"}).content.decode()
    )


def test_search_never_finds_another_business(staff_client, clients, other_business):
    factories.client(other_business, name="Crane Rivals")
    factories.contact(factories.client(other_business, name="Beta Co"), name="Crane Person")
    names = [c.name for c in staff_client.get(URL, {"q": "crane"}).context["matches"]]
    assert names == ["Crane Hire"]


def test_long_searches_are_cut_short_and_explained(staff_client, clients):
    response = staff_client.get(URL, {"q": "x" * 101})
    assert response.status_code == 200
    assert response.context["matches"] == []
    assert "at most 100 characters" in response.content.decode()
    response = staff_client.get(URL, {"q": "Acme\x00"})
    assert response.status_code == 200 and response.context["matches"] == []


def test_a_search_runs_the_search_once_whatever_it_finds(
    staff_client, business, clients, django_assert_num_queries
):
    staff_client.get(URL)  # the first request after login also writes the session
    # The session, the user, their memberships, "many clients?", the recent clients, the
    # search: the same six for one match as for more than a page of them.
    with django_assert_num_queries(6):
        response = staff_client.get(URL, {"q": "crane"})
    assert [c.name for c in response.context["matches"]] == ["Crane Hire"]
    for n in range(25):
        factories.client(business, name=f"Crane {n:02d}")
    with django_assert_num_queries(6) as captured:
        response = staff_client.get(URL, {"q": "crane"})
    assert len(response.context["matches"]) == 20 and response.context["more_matches"]
    assert sum('AS "rank"' in q["sql"] for q in captured.captured_queries) == 1


def test_too_many_matches_asks_for_more_of_the_name(staff_client, business, monkeypatch):
    from assessments.views import incidents as incident_views

    monkeypatch.setattr(incident_views, "SEARCH_RESULTS", 2)
    for n in range(4):
        factories.client(business, name=f"Studio {n}")
    response = staff_client.get(URL, {"q": "studio"})
    assert len(response.context["matches"]) == 2
    assert "More clients match" in response.content.decode()


def test_the_form_offers_the_chosen_and_recent_clients_and_their_contacts(staff_client, clients):
    factories.incident(clients["Echo Media"])
    jane = factories.contact(clients["Acme Ltd"], name="Jane Doe")
    eve = factories.contact(clients["Echo Media"], name="Eve Echo")
    factories.contact(clients["Brick & Co"], name="Bob Brick")
    response = staff_client.get(URL, {"client": clients["Acme Ltd"].pk})
    assert response.status_code == 200
    assert _offered(response) == ["Acme Ltd", "Echo Media"]
    page = response.content.decode()
    assert f'<option value="{clients["Acme Ltd"].pk}" selected>' in page
    assert f'value="{jane.pk}" data-client="{clients["Acme Ltd"].pk}"' in page
    assert f'value="{eve.pk}"' in page
    assert "Bob Brick" not in page
    assert "Find another client" in page


def test_a_contact_link_opens_the_form_for_its_client(staff_client, clients):
    jane = factories.contact(clients["Delta Freight"], name="Jane Doe")
    response = staff_client.get(URL, {"contact": jane.pk})
    assert _offered(response) == ["Delta Freight"]
    assert response.context["form"].initial["contact"] == jane


def test_any_client_of_the_business_is_accepted(staff_client, clients):
    # Offered or not, a client of this business is valid (the form was opened for it).
    response = staff_client.post(URL, form_data(clients["Brick & Co"]))
    assert response.status_code == 302
    assert Incident.objects.get().client == clients["Brick & Co"]


def test_a_rejected_submission_keeps_what_was_typed_and_its_client(staff_client, clients):
    data = form_data(clients["Delta Freight"], category="", description="Threw the invoice at me")
    response = staff_client.post(URL, data)
    assert response.status_code == 400
    assert _offered(response)[0] == "Delta Freight"
    page = response.content.decode()
    assert "Threw the invoice at me" in page
    assert not Incident.objects.exists()


def test_a_missing_client_keeps_the_form_and_offers_recent_clients(
    staff_client, clients, other_business
):
    factories.incident(clients["Crane Hire"])
    foreign = factories.client(other_business, name="Foreign Co")
    data = form_data(foreign, description="Called five times after ten at night")
    response = staff_client.post(URL, data)
    assert response.status_code == 400
    assert "client" in response.context["form"].errors
    assert _offered(response) == ["Crane Hire"]
    page = response.content.decode()
    assert "Called five times after ten at night" in page
    assert "Foreign Co" not in page
    assert Incident.objects.count() == 1  # only the one made above


def test_small_businesses_still_get_one_list(staff_client, business, monkeypatch):
    monkeypatch.setattr(incident_forms, "CLIENT_LIST_MAX", 200)
    for name in ["Zed Ltd", "Acme Ltd"]:
        factories.client(business, name=name)
    response = staff_client.get(URL)
    assert "First, which client" not in response.content.decode()
    assert _offered(response) == ["Acme Ltd", "Zed Ltd"]


def test_every_search_from_the_bad_input_corpus_is_answered(staff_client, clients):
    from tests.hardening import corpus

    for label, value in {**corpus.UNIVERSAL, **corpus.TEXT}.items():
        response = staff_client.get(URL, {"q": value})
        assert response.status_code == 200, label
        page = response.content.decode()
        assert all(markup not in page for markup in corpus.LIVE_MARKUP), label


def test_the_options_follow_every_change(staff_client, clients):
    acme = clients["Acme Ltd"]
    factories.contact(acme, name="Jane Doe")
    factories.incident(clients["Crane Hire"])
    url = f"{URL}?client={acme.pk}"
    page = staff_client.get(url).content.decode()
    assert "Jane Doe (Acme Ltd)" in page and "Crane Hire" in page
    factories.contact(acme, name="Joe Bloggs")
    factories.incident(clients["Delta Freight"])
    page = staff_client.get(url).content.decode()
    assert "Joe Bloggs (Acme Ltd)" in page and "Delta Freight" in page


def test_the_client_in_the_address_is_cached_per_business(staff_client, clients, outsider_client):
    acme = clients["Acme Ltd"]
    url = f"{URL}?client={acme.pk}"
    assert _offered(staff_client.get(url))[0] == "Acme Ltd"
    acme.name = "Acme Renamed"
    acme.save()
    assert _offered(staff_client.get(url))[0] == "Acme Renamed"
    # Another business never gets it from the cache: it is not theirs to log against.
    assert "Acme" not in outsider_client.get(url).content.decode()
