"""Issue 18: the staff phone journey and the owner's pages in each language beside English,
in a real browser whose language is the user's, with no English left beyond names and
data (the same test of a piece of text as tests/hardening/test_no_english_left.py), and a
screenshot of each page in each language under test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Incident
from tests.browser.test_accessibility import _log_in, _owner_pages
from tests.hardening.test_no_english_left import _data_strings, _english

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
# Visible text and the attributes a person reads, as the browser shows them.
TEXTS = """() => {
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest("script, style, [hidden]")) continue;
    // Text marked as another language (the client's letter) is not the page's.
    const marked = el.closest("[lang]");
    if (marked && marked.lang !== document.documentElement.lang) continue;
    if (n.textContent.trim()) out.push(n.textContent);
  }
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label], [alt]")) {
    for (const a of ["placeholder", "title", "aria-label", "alt"]) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out;
}"""


def _english_on(page, where: str, data: list[str]) -> list[str]:
    return [
        f"{where}: {' '.join(piece.split())[:120]}"
        for piece in page.evaluate(TEXTS)
        if _english(piece, data)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_phone_journey_and_owner_pages_in_each_language(
    browser, live_server, world, language, shot
):
    data = _data_strings() + ["Shouted at the crew on site."]
    left: list[str] = []

    phone = browser.new_context(base_url=live_server.url, locale=language, **PHONE)
    try:
        page = phone.new_page()
        page.goto(reverse("accounts:login"))
        assert page.locator("html").get_attribute("lang") == language
        left += _english_on(page, "login", data)
        _log_in(page, world.staff.email)
        left += _english_on(page, "staff home", data)
        page.goto(reverse("assessments:incident_create"))
        form = page.locator("form.incident-form")
        expect(form).to_be_visible()
        left += _english_on(page, "incident form", data)
        # The longer words of each language still fit a phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(page, f"lang-{language}-staff-incident-form-375")
        before = Incident.objects.filter(business=world.business).count()
        client_select = form.locator("select[name=client]")
        if client_select.count():
            client_select.select_option(str(world.client.pk))
        # The client's latest delivery, one tap (issue 17: "on the phone form too").
        form.locator(f"input[name=about][value=d{world.delivery.pk}] + label").click()
        expect(form.locator(f"input[name=about][value=d{world.delivery.pk}]")).to_be_checked()
        page.wait_for_timeout(300)  # the buttons' colour transition, for the screenshot
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        left += _english_on(page, "incident form with the client's deliveries", data)
        shot(page, f"lang-{language}-staff-incident-about-a-delivery-375")
        form.locator("select[name=category]").select_option("verbal_abuse")
        form.locator("input[name=severity][value=high] + label").click()
        form.locator("textarea[name=description]").fill("Shouted at the crew on site.")
        # Keyboard activation (as a phone's "Go" key would): a tap on the button can land
        # on the layer of the sticky bar while the page is still settling.
        with page.expect_navigation():
            form.locator("button[type=submit]").press("Enter")
        assert Incident.objects.filter(business=world.business).count() == before + 1
        assert Incident.objects.filter(business=world.business).latest("pk").delivery == (
            world.delivery
        )
        left += _english_on(page, "incident saved", data)
        shot(page, f"lang-{language}-staff-incident-saved-375")
    finally:
        phone.close()

    desk = browser.new_context(
        base_url=live_server.url, locale=language, viewport={"width": 1280, "height": 800}
    )
    try:
        page = desk.new_page()
        _log_in(page, world.owner.email)
        pages = _owner_pages(world) | {
            "reminders": reverse("assessments:reminder_list"),
            "clients that need a look": reverse("assessments:warning_list"),
        }
        for name, url in pages.items():
            response = page.goto(url)
            assert response is not None and response.status == 200, f"{name}: {url}"
            left += _english_on(page, name, data)
            if name in ("home", "review verdict", "plan page", "client page"):
                shot(page, f"lang-{language}-owner-{name.replace(' ', '-')}")
    finally:
        desk.close()
    assert not sorted(set(left)), "English left:\n" + "\n".join(sorted(set(left)))
