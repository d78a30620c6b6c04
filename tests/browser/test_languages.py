"""Issue 18: the language switcher in a real browser, and the portfolio in Greek.

Screenshots: test-artifacts/screenshots/i18n-login-switcher.png, i18n-login-el.png,
i18n-portfolio-el.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from assessments.demo import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_switching_to_greek_on_the_login_page_and_the_portfolio_in_greek(new_page, shot):
    business = seed_demo()
    owner = User.objects.get(email="owner@example.com")
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto("/accounts/login/")
    switcher = page.locator("select[name='language']")
    expect(switcher).to_be_visible()
    # With the script, the button is hidden and choosing a language is enough.
    expect(page.locator("[data-autosubmit-button]")).to_be_hidden()
    shot(page, "i18n-login-switcher")
    switcher.select_option(label="Ελληνικά")
    page.wait_for_function("document.documentElement.lang === 'el'")
    assert page.url.endswith("/accounts/login/")
    assert page.csp_errors == []
    expect(page.locator("select[name='language']")).to_have_value("el")
    shot(page, "i18n-login-el")

    page.locator("input[name='username']").fill(owner.email)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("form:not(.language-form) button[type='submit']").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.evaluate("document.documentElement.lang") == "el"
    expect(page.locator("select[name='language']")).to_have_value("el")
    owner.refresh_from_db()
    assert owner.language == ""  # chosen before logging in: the cookie, not the profile
    shot(page, "i18n-portfolio-el")
    assert business.pk


def test_without_script_the_button_switches(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/accounts/signup/")
        page.locator("select[name='language']").select_option("hr")
        page.locator("[data-autosubmit-button]").click()
        page.wait_for_url(re.compile(r"/accounts/signup/$"))
        assert page.locator("html").get_attribute("lang") == "hr"
    finally:
        context.close()
