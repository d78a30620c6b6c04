"""The language switcher, the language kept on the profile, and e-mails in the reader's."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from assessments.models import AbuseFlag
from assessments.tasks import notify_owners_of_flag
from tests import factories

pytestmark = pytest.mark.django_db

SETLANG = "/i18n/setlang/"


def test_the_switcher_is_on_login_and_signup_with_each_language_named_in_itself(anon_client):
    for name in ("accounts:login", "accounts:signup"):
        page = anon_client.get(reverse(name)).content.decode()
        assert f'action="{SETLANG}"' in page
        for native in ("English", "Ελληνικά", "한국어", "Русский", "Íslenska", "Hrvatski"):
            assert native in page
        assert 'src="/static/js/language.js"' in page
        assert "<script>" not in page  # no inline script (CSP)


def test_the_switcher_is_in_the_navbar_when_logged_in(owner_client):
    page = owner_client.get(reverse("home")).content.decode()
    assert f'action="{SETLANG}"' in page
    assert 'name="next" value="/"' in page


def test_a_greek_browser_gets_greek(anon_client):
    response = anon_client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="el,en;q=0.5")
    assert '<html lang="el">' in response.content.decode()
    assert response["Content-Language"] == "el"


def test_an_unknown_browser_language_gets_english(anon_client):
    response = anon_client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert '<html lang="en">' in response.content.decode()


def test_anonymous_switch_sets_the_cookie_and_goes_back(anon_client):
    response = anon_client.post(SETLANG, {"language": "hr", "next": "/accounts/signup/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hr"
    page = anon_client.get("/accounts/signup/").content.decode()
    assert '<html lang="hr">' in page


def test_switching_keeps_the_choice_on_the_profile(owner_client, owner):
    response = owner_client.post(SETLANG, {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    owner.refresh_from_db()
    assert owner.language == "ru"


def test_the_profile_language_wins_over_the_browser_in_a_new_browser(owner):
    User.objects.filter(pk=owner.pk).update(language="ko")

    browser = HttpClient(HTTP_ACCEPT_LANGUAGE="el")
    browser.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert '<html lang="ko">' in browser.get(reverse("home")).content.decode()


def test_a_user_with_no_saved_language_follows_the_browser(owner_client, owner):
    assert owner.language == ""
    page = owner_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="is").content.decode()
    assert '<html lang="is">' in page


@pytest.mark.parametrize("language", ["", "xx", "de"])
def test_a_bad_language_changes_nothing(owner_client, owner, language):
    response = owner_client.post(SETLANG, {"language": language, "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    owner.refresh_from_db()
    assert owner.language == ""


def test_an_outside_next_is_not_followed(anon_client):
    response = anon_client.post(SETLANG, {"language": "el", "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_switching_needs_post(anon_client):
    assert anon_client.get(SETLANG + "?language=el").status_code == 405


# --- e-mails in the reader's language ----------------------------------------------------


def _spy_on_rendering(monkeypatch, module) -> list[tuple[str, str]]:
    """Record (template, active language) for each e-mail template `module` renders."""
    seen: list[tuple[str, str]] = []
    real = module.render_to_string

    def spy(name, *args, **kwargs):
        seen.append((name, translation.get_language()))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(module, "render_to_string", spy)
    return seen


def test_abuse_flag_mail_is_rendered_in_each_owners_language(business, owner, staff, monkeypatch):
    russian = factories.member(business, email="ru@alpha.test", role="owner", language="ru")
    contact = factories.contact(factories.client(business, name="Acme"), name="Jane")
    flag = AbuseFlag.objects.create(
        business=business,
        contact=contact,
        reason="Threats",
        raised_by=staff,
        review_on=date(2026, 12, 7),
    )
    from assessments import tasks

    seen = _spy_on_rendering(monkeypatch, tasks)
    assert notify_owners_of_flag(flag.pk) == 2
    assert sorted(seen) == [
        ("emails/abuse_flag.txt", "en"),
        ("emails/abuse_flag.txt", "ru"),
        ("emails/abuse_flag_subject.txt", "en"),
        ("emails/abuse_flag_subject.txt", "ru"),
    ]
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "декабр" in by_address[russian.email].lower()  # Django's own Russian month name
    assert "December" in by_address[owner.email]


def test_password_reset_mail_is_in_the_users_language(anon_client, owner, monkeypatch):
    from django.template import loader

    User.objects.filter(pk=owner.pk).update(language="ru")
    seen = _spy_on_rendering(monkeypatch, loader)
    anon_client.post(
        reverse("accounts:password_reset"), {"email": owner.email}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert len(mail.outbox) == 1
    assert ("emails/password_reset.txt", "ru") in seen
    assert ("emails/password_reset_subject.txt", "ru") in seen


def test_invitation_to_a_known_user_is_in_their_language(
    owner_client, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts import services

    factories.user(email="known@elsewhere.test", language="el")
    seen = _spy_on_rendering(monkeypatch, services)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("accounts:invite"), {"email": "known@elsewhere.test"})
    assert mail.outbox[0].to == ["known@elsewhere.test"]
    assert seen == [("emails/invitation.txt", "el")]


def test_invitation_to_a_newcomer_is_in_the_owners_page_language(
    owner_client, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts import services

    seen = _spy_on_rendering(monkeypatch, services)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("accounts:invite"), {"email": "new@alpha.test"}, HTTP_ACCEPT_LANGUAGE="hr"
        )
    assert seen == [("emails/invitation.txt", "hr")]
