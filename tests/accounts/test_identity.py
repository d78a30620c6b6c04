"""Who is logged in comes from a per-process snapshot while nothing in it has changed.

A warm request asks the database nothing about its user; any change to a user, a
membership or a business counts on the very next request; the checks Django makes on
every request (active user, session hash, backend) still run; and without the shared
cache every request asks the database.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import identity
from accounts.models import Membership
from accounts.sessions import SessionStore
from tests import factories

pytestmark = pytest.mark.django_db

HOME = reverse("home")
TEAM = reverse("accounts:team")


@pytest.fixture(autouse=True)
def _sessions_through_the_cache(settings):
    # As with Redis; the unit tier's cache is in memory, shared within this process.
    settings.SESSION_ENGINE = "accounts.sessions"


def _identity_queries(http, url=HOME) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        http.get(url)
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "accounts_membership" in q["sql"] or "accounts_user" in q["sql"]
    ]


def _warm(user, url=HOME) -> HttpClient:
    """Logged in, past the requests that start the epoch and take the snapshot."""
    http = _client(user)
    for _ in range(3):
        http.get(url)
    return http


def _client(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user, backend="accounts.backends.MemberBackend")
    return http


def test_a_warm_request_asks_the_database_nothing(owner):
    http = _client(owner)
    http.get(HOME)  # the epoch starts
    http.get(HOME)  # the snapshot is taken
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(HOME)
    assert response.status_code == 200
    assert "Olga" in response.content.decode()
    assert len(ctx) == 0  # the portfolio itself is cached too


def test_the_user_and_memberships_take_one_query_when_not_remembered(owner):
    http = _client(owner)
    http.get(HOME)
    identity.forget_all()
    queries = _identity_queries(http)
    assert len(queries) == 1
    assert "accounts_business" in queries[0] and "accounts_user" in queries[0]


def test_a_removed_member_is_out_on_the_next_request(owner, staff, business):
    http = _warm(staff)
    assert http.get(HOME).status_code == 200
    Membership.objects.get(user=staff, business=business).delete()
    response = http.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:no_business")


def test_a_role_change_counts_on_the_next_request(owner, business):
    other = factories.member(business, email="second@alpha.test", role="owner")
    http = _warm(other, TEAM)
    assert http.get(TEAM).status_code == 200
    membership = Membership.objects.get(user=other, business=business)
    membership.role = Membership.Role.STAFF
    membership.save()
    assert http.get(TEAM).status_code == 403


def test_a_deactivated_user_is_logged_out(owner):
    http = _warm(owner)
    owner.is_active = False
    owner.save()
    response = http.get(HOME)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_new_password_ends_other_sessions(owner):
    http = _warm(owner)
    owner.set_password("a different long passphrase 42")
    owner.save()
    response = http.get(HOME)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_session_hash_that_does_not_match_is_refused_even_from_a_snapshot(owner):
    http = _warm(owner)
    session = http.session
    session["_auth_user_hash"] = "0" * 64
    session.save()
    response = http.get(HOME)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_renamed_business_shows_at_once(owner, business):
    http = _warm(owner)
    business.name = "Alpha Renamed"
    business.save()
    assert "Alpha Renamed" in http.get(HOME).content.decode()


def test_logging_in_does_not_start_a_new_epoch(owner):
    http = _client(owner)
    http.get(HOME)
    epoch = cache.get(identity.EPOCH_KEY)
    assert epoch is not None
    owner.last_login = None
    owner.save(update_fields=["last_login"])
    assert cache.get(identity.EPOCH_KEY) == epoch
    owner.name = "Olga Renamed"
    owner.save()
    assert cache.get(identity.EPOCH_KEY) != epoch
    assert "Olga Renamed" in http.get(HOME).content.decode()


@pytest.mark.real_on_commit
def test_the_epoch_changes_when_the_change_commits(
    owner, business, django_capture_on_commit_callbacks
):
    http = _client(owner)
    http.get(HOME)
    epoch = cache.get(identity.EPOCH_KEY)
    with django_capture_on_commit_callbacks() as callbacks:
        business.name = "Alpha Renamed"
        business.save()
        assert cache.get(identity.EPOCH_KEY) == epoch
    for callback in callbacks:
        callback()
    assert cache.get(identity.EPOCH_KEY) != epoch


def test_an_old_snapshot_is_not_trusted(owner, monkeypatch):
    http = _warm(owner)
    assert _identity_queries(http) == []
    monkeypatch.setattr(identity, "MAX_AGE", -1.0)
    assert len(_identity_queries(http)) == 1


def test_each_request_gets_its_own_copy(owner, rf):
    http = _warm(owner)
    first = identity.get_user(_with_session(rf, http))
    first.name = "Changed In One Request"
    first.loaded_memberships[0].business.name = "Changed Too"
    second = identity.get_user(_with_session(rf, http))
    assert second is not first
    assert second.name == "Olga Owner"
    assert second.loaded_memberships[0].business.name == "Alpha Studio"


def _with_session(rf, http):
    request = rf.get(HOME)
    request.session = SessionStore(http.cookies["sessionid"].value)
    return request


def test_without_the_shared_cache_every_request_asks_the_database(owner, monkeypatch):
    http = _warm(owner)
    assert identity._snapshots

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", unreachable)
    response = http.get(HOME)
    assert response.status_code == 200 and "Olga" in response.content.decode()
    assert not identity._snapshots  # none taken before the outage is trusted after it
    assert len(_identity_queries(http)) == 1


def test_a_missing_epoch_means_the_database_then_a_new_epoch(owner):
    http = _client(owner)
    http.get(HOME)
    cache.delete(identity.EPOCH_KEY)
    assert len(_identity_queries(http)) == 1
    assert cache.get(identity.EPOCH_KEY) is not None


def test_anonymous_and_outsiders_are_unchanged(outsider, owner, business):
    anon = HttpClient()
    assert anon.get(HOME).status_code == 302
    http = _warm(outsider)
    client = factories.client(business, name="Acme Ltd")
    assert http.get(reverse("assessments:client_detail", args=[client.pk])).status_code == 404


def test_the_session_still_names_the_user(owner):
    http = _client(owner)
    http.get(HOME)
    assert http.session[SESSION_KEY] == str(owner.pk)


def test_a_snapshot_needs_its_backend_still_configured(owner, settings):
    http = _warm(owner)
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    response = http.get(HOME)
    assert response.status_code == 302 and "/login" in response["Location"]
