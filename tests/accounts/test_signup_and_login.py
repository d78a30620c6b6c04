import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Business, Membership, User
from tests import factories

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "name": "Nina Nowak",
        "email": "Nina@Example.test",
        "password1": "a-long-unusual-pass",
        "password2": "a-long-unusual-pass",
        "business_name": "Nowak Design",
        "time_zone": "Europe/Zagreb",
        "currency": "EUR",
    }
    data.update(overrides)
    return data


def test_signup_creates_user_business_and_owner_membership(anon_client):
    response = anon_client.post(reverse("accounts:signup"), signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="nina@example.test")
    membership = Membership.objects.get(user=user)
    assert membership.role == "owner"
    assert membership.business.name == "Nowak Design"
    assert membership.business.time_zone == "Europe/Zagreb"
    # Logged in straight away.
    assert anon_client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"email": "not-an-email"}, "email"),
        ({"business_name": ""}, "business_name"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_signup_bad_input_saves_nothing(anon_client, overrides, field):
    response = anon_client.post(reverse("accounts:signup"), signup_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()
    assert not Business.objects.exists()


def test_signup_taken_email_is_refused_case_insensitively(anon_client, owner):
    response = anon_client.post(reverse("accounts:signup"), signup_data(email="OWNER@alpha.test"))
    assert "email" in response.context["form"].errors
    assert Business.objects.count() == 1


def test_login_page_and_login_by_email(anon_client, owner):
    assert anon_client.get(reverse("home")).status_code == 302
    page = anon_client.get(reverse("accounts:login"))
    assert page.status_code == 200
    response = anon_client.post(
        reverse("accounts:login"), {"username": "OWNER@alpha.test", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert anon_client.get(reverse("home")).status_code == 200


def test_repeated_failed_logins_lock_out_with_a_message_and_are_audited(
    anon_client, owner, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        anon_client.post(
            reverse("accounts:login"), {"username": owner.email, "password": "wrong-password"}
        )
    response = anon_client.post(
        reverse("accounts:login"), {"username": owner.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {"login_failed", "locked_out"} <= kinds


def test_logout_is_post_only_and_ends_the_session(owner_client):
    response = owner_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert owner_client.get(reverse("home")).status_code == 302


def test_password_reset_sends_mail(anon_client, owner, mailoutbox):
    response = anon_client.post(reverse("accounts:password_reset"), {"email": owner.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_user_without_business_is_told_so(db):
    from django.test import Client

    lonely = factories.user(email="lonely@example.test")
    c = Client()
    c.force_login(lonely, backend="django.contrib.auth.backends.ModelBackend")
    response = c.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("accounts:no_business")
