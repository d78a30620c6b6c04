"""Issue 2: sign up, invite a staff member, accept in a second browser, log in as staff."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_invite_accept_and_log_in_as_staff(new_page, shot, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    owner = new_page()
    owner.goto("/")
    assert "Log in" in owner.title()
    owner.get_by_role("link", name="Create an account for your business").click()
    owner.get_by_label("Your name").fill("Ana Anić")
    owner.get_by_label("E-mail address").fill("ana@anic.test")
    owner.locator("#id_password1").fill("plenty-long-secret")
    owner.locator("#id_password2").fill("plenty-long-secret")
    owner.get_by_label("Business name").fill("Anić Studio")
    owner.get_by_label("Time zone").select_option("Europe/Zagreb")
    shot(owner, "01-signup")
    owner.get_by_role("button", name="Create account").click()
    owner.wait_for_url(re.compile(r"/$"))
    expect(owner.get_by_text("Welcome!")).to_be_visible()

    owner.goto("/accounts/team/")
    owner.get_by_label("E-mail address of the person to invite").fill("sam@anic.test")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_text("Invitation sent to sam@anic.test")).to_be_visible()
    shot(owner, "02-team-invited")
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]

    staff = new_page()
    staff.goto(path)
    expect(staff.get_by_text("Join Anić Studio")).to_be_visible()
    staff.get_by_label("Your name").fill("Sam Staff")
    staff.locator("#id_password1").fill("another-long-secret")
    staff.locator("#id_password2").fill("another-long-secret")
    shot(staff, "03-accept-invitation")
    staff.get_by_role("button", name="Join as staff").click()
    expect(staff.get_by_text("You have joined Anić Studio.")).to_be_visible()

    # Log out and back in as staff.
    staff.get_by_role("button", name="Sam Staff").click()
    staff.get_by_role("button", name="Log out").click()
    staff.get_by_label("E-mail address").fill("sam@anic.test")
    staff.locator("#id_password").fill("another-long-secret")
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_url(re.compile(r"/$"))
    shot(staff, "04-staff-home")
    assert Membership.objects.get(user__email="sam@anic.test").role == "staff"
    assert owner.csp_errors == [] and staff.csp_errors == []
