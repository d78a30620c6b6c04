"""The request path is plain Django: who is logged in comes from the database on every
request, nothing a logged-in user sees is kept by a browser or proxy, the lockout holds
for any spelling of the e-mail, and a Redis that is down changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from accounts.models import Membership, User
from tests import factories

pytestmark = pytest.mark.django_db
HOME = reverse("home")
LOGIN = reverse("accounts:login")


@pytest.mark.parametrize(
    "spellings",
    [
        ["owner@alpha.test"] * 5,
        [
            "Owner@Alpha.test",
            "OWNER@ALPHA.TEST",
            " owner@alpha.test",
            "owner@ALPHA.test",
            "oWner@alpha.test",
        ],
    ],
)
def test_the_lockout_counts_every_spelling_of_the_email_together(
    anon_client, owner, settings, spellings
):
    assert len(spellings) == settings.AXES_FAILURE_LIMIT
    for email in spellings:
        anon_client.post(LOGIN, {"username": email, "password": "wrong-password"})
    for email in ("owner@alpha.test", "OWNER@alpha.TEST"):
        response = anon_client.post(LOGIN, {"username": email, "password": factories.PASSWORD})
        assert response.status_code == 429, email
    assert anon_client.get(HOME).status_code == 302  # never logged in


def test_pages_of_a_logged_in_user_are_never_stored(owner_client):
    for url in (HOME, reverse("assessments:client_list"), reverse("accounts:team")):
        response = owner_client.get(url)
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


def test_a_deleted_session_row_logs_out_at_once(owner_client):
    assert owner_client.get(HOME).status_code == 200
    Session.objects.all().delete()
    assert owner_client.get(HOME).status_code == 302


def test_a_user_deactivated_by_an_update_is_logged_out_at_once(owner_client, owner):
    assert owner_client.get(HOME).status_code == 200
    User.objects.filter(pk=owner.pk).update(is_active=False)
    assert owner_client.get(HOME).status_code == 302


def test_a_role_change_by_an_update_applies_to_the_next_request(owner_client, owner):
    assert owner_client.get(reverse("accounts:team")).status_code == 200
    Membership.objects.filter(user=owner).update(role=Membership.Role.STAFF)
    assert owner_client.get(reverse("accounts:team")).status_code == 403


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
)
def test_pages_work_the_same_with_redis_unreachable(owner_client, staff_client, staff, business):
    factories.incident(factories.client(business, name="Acme Ltd"), by=staff)
    for client in (owner_client, staff_client):
        for url in (HOME, reverse("assessments:client_list"), reverse("assessments:incident_list")):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "Acme Ltd" in response.content.decode()
