from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse


def test_healthz_touches_no_database():
    # No django_db mark: any query here would raise.
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_every_page_has_a_strict_content_security_policy(anon_client):
    response = anon_client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    body = response.content.decode()
    assert "<script>" not in body and " style=" not in body


@pytest.mark.django_db
def test_root_sends_anonymous_visitors_to_the_login_page(anon_client):
    response = anon_client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert b"Log in" in response.content


@pytest.mark.django_db
def test_database_outage_gets_a_clear_503_page(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    with (
        mock.patch("accounts.middleware.memberships_of", side_effect=OperationalError("down")),
        mock.patch("clientreview.views._is_connection_failure", return_value=True),
    ):
        response = client.get(reverse("home"))
    assert response.status_code == 503
    assert b"can't reach our database" in response.content
    assert response["Retry-After"] == "10"


@pytest.mark.django_db
def test_a_bug_still_gets_the_500_page(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    with mock.patch("accounts.middleware.memberships_of", side_effect=RuntimeError("bug")):
        response = client.get(reverse("home"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
