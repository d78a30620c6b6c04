"""The benchmark's reference page exists only when the server runs for the benchmark."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches

import clientreview.urls
from tests import factories

URL = "/bench/reference/"


def _mount(settings, on: bool) -> None:
    settings.BENCH = on
    importlib.reload(clientreview.urls)
    clear_url_caches()


@pytest.fixture
def bench_off(settings):
    _mount(settings, False)  # also when the shell running the tests has the flag set
    yield
    _mount(settings, False)


@pytest.fixture
def bench_on(settings):
    _mount(settings, True)
    yield
    _mount(settings, False)


@pytest.mark.django_db
def test_without_the_flag_the_page_does_not_exist(bench_off, owner_client, anon_client):
    assert owner_client.get(URL).status_code == 404
    assert anon_client.get(URL).status_code == 404


@pytest.mark.django_db
def test_with_the_flag_an_owner_gets_25_clients_of_their_business_in_4_queries(
    bench_on, business, owner_client, other_business, django_assert_num_queries
):
    for i in range(30):
        factories.client(business, name=f"Alpha client {i:02d}")
    factories.client(other_business, name="Aardvark of Beta")
    owner_client.get(URL)  # the first page of a session also saves the business chosen
    # The session, the user, their memberships, the clients: what every logged-in page runs.
    with django_assert_num_queries(4):
        response = owner_client.get(URL)
    assert response.status_code == 200
    names = [c.name for c in response.context["clients"]]
    assert names == [f"Alpha client {i:02d}" for i in range(25)]
    assert b"Alpha client 24" in response.content and b"Aardvark" not in response.content


@pytest.mark.django_db
def test_with_the_flag_a_visitor_is_sent_to_log_in(bench_on, anon_client):
    response = anon_client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/bench/reference/")
