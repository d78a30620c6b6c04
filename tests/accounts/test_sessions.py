"""Sessions read through the cache, with the database as the record.

A cache outage never logs anyone out or fails a login or logout; a logged-out session is
gone from the database at once; a cached copy lives at most SESSION_CACHE_SECONDS.
Also: the login backend's one query, and the Redis client reused between cache calls.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import MemberBackend
from accounts.models import Membership
from accounts.sessions import SessionStore
from clientreview.lib.cache import RedisCache
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sessions_through_the_cache(settings):
    settings.SESSION_ENGINE = "accounts.sessions"


def _fail(*args, **kwargs):
    raise ConnectionError("cache down")


def test_a_session_is_written_to_both_and_read_from_the_cache():
    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert Session.objects.filter(session_key=store.session_key).exists()
    assert cache.get(KEY_PREFIX + store.session_key) == {"answer": 42}
    with CaptureQueriesContext(connection) as ctx:
        assert SessionStore(store.session_key)["answer"] == 42
    assert len(ctx) == 0


def test_the_cached_copy_lives_at_most_the_configured_time(settings, monkeypatch):
    settings.SESSION_CACHE_SECONDS = 7
    seen = []
    real_set = cache.set

    def recording_set(key, value, timeout):
        seen.append(timeout)
        real_set(key, value, timeout)

    monkeypatch.setattr(cache, "set", recording_set)
    store = SessionStore()
    store["a"] = 1
    store.save()
    assert seen and set(seen) == {7}


def test_reads_fall_back_to_the_database_while_the_cache_is_down(monkeypatch):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    monkeypatch.setattr(cache, "get_many", _fail)
    monkeypatch.setattr(cache, "set", _fail)
    loaded = SessionStore(store.session_key)
    assert loaded["answer"] == 42
    assert loaded.identity_epoch is None


def test_saving_and_creating_work_while_the_cache_is_down(monkeypatch):
    monkeypatch.setattr(cache, "set", _fail)
    monkeypatch.setattr(cache, "has_key", _fail)
    monkeypatch.setattr(cache, "get_many", _fail)
    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert SessionStore(store.session_key)["answer"] == 42


def test_deleting_removes_the_database_row_even_while_the_cache_is_down(monkeypatch, caplog):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    key = store.session_key
    monkeypatch.setattr(cache, "delete", _fail)
    store.delete()
    assert not Session.objects.filter(session_key=key).exists()
    assert "expires within" in caplog.text


def test_a_login_and_a_logout_work_while_the_cache_is_down(monkeypatch, business):
    user = factories.member(business, email="kim@alpha.test", role="owner")
    user.set_password("a long enough passphrase 1")
    user.save()
    for name in ("get_many", "set", "delete", "has_key", "add"):
        monkeypatch.setattr(cache, name, _fail)
    http = HttpClient()
    response = http.post(
        reverse("accounts:login"),
        {"username": "kim@alpha.test", "password": "a long enough passphrase 1"},
    )
    assert response.status_code == 302
    assert http.get(reverse("home")).status_code == 200
    key = http.cookies["sessionid"].value
    assert http.post(reverse("accounts:logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_a_logout_ends_the_session_everywhere(owner):
    http = HttpClient()
    http.force_login(owner, backend="accounts.backends.MemberBackend")
    key = http.cookies["sessionid"].value
    assert http.get(reverse("home")).status_code == 200
    http.post(reverse("accounts:logout"))
    assert cache.get(KEY_PREFIX + key) is None
    stolen = HttpClient()
    stolen.cookies["sessionid"] = key
    assert stolen.get(reverse("home")).status_code == 302


def test_the_backend_loads_user_and_memberships_in_one_query(owner, business, other_business):
    Membership.objects.create(user=owner, business=other_business, role="staff")
    with CaptureQueriesContext(connection) as ctx:
        user = MemberBackend().get_user(owner.pk)
    assert len(ctx) == 1
    assert user == owner
    assert [m.business.name for m in user.loaded_memberships] == ["Alpha Studio", "Beta Builders"]
    assert all(m.user is user for m in user.loaded_memberships)


def test_the_backend_without_memberships_unknown_or_inactive(business):
    lonely = factories.user(email="lonely@test.test")
    user = MemberBackend().get_user(lonely.pk)
    assert user == lonely and user.loaded_memberships == []
    assert MemberBackend().get_user(999_999) is None
    lonely.is_active = False
    lonely.save()
    assert MemberBackend().get_user(lonely.pk) is None


def test_the_redis_cache_reuses_one_client_per_pool():
    ours = RedisCache("redis://127.0.0.1:6379/15", {})
    assert ours._cache.get_client() is ours._cache.get_client(write=True)
    theirs = DjangoRedisCache("redis://127.0.0.1:6379/15", {})
    assert theirs._cache.get_client() is not theirs._cache.get_client()
