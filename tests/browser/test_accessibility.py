"""Issue 18, item 7: the main pages pass axe-core (no serious or critical violation) as
owner and as staff, on a desktop (1280x800) and a phone (375x812), in every language.

One live server and one browser for the module; each persona logs in once per language
and the same page is resized between the two widths.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories
from tests.browser.axe import serious_violations
from tests.hardening.world import World

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
VIEWPORTS = {"1280": {"width": 1280, "height": 800}, "375": {"width": 375, "height": 812}}


def _member_pages(w: World) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "client list": reverse("assessments:client_list"),
        "client page": reverse("assessments:client_detail", args=[w.client.pk]),
        "incident form": reverse("assessments:incident_create"),
        "incident list": reverse("assessments:incident_list"),
        "flag list": reverse("assessments:flag_list"),
        "rules help": reverse("assessments:rules_help"),
    }


def _owner_pages(w: World) -> dict[str, str]:
    return _member_pages(w) | {
        "review evidence": reverse("assessments:assessment_evidence", args=[w.draft.pk]),
        "review checklist": reverse("assessments:assessment_checklist", args=[w.draft.pk]),
        "review verdict": reverse("assessments:assessment_verdict", args=[w.draft.pk]),
        "plan form": reverse("assessments:plan_create", args=[w.fresh_assessment.pk]),
        "plan page": reverse("assessments:plan_detail", args=[w.plan.pk]),
        "team": reverse("accounts:team"),
        "business settings": reverse("accounts:settings"),
    }


def _log_in(page, email: str) -> None:
    page.goto(reverse("accounts:login"))
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def _check(page, where: str, url: str, found: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{where}: {url}"
    for violation in serious_violations(page):
        found.append(f"{where}: {violation}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_have_no_serious_axe_violation(browser, live_server, world, language):
    started = time.monotonic()
    found: list[str] = []
    anonymous = {
        "login": reverse("accounts:login"),
        "sign-up": reverse("accounts:signup"),
    }
    personas = (
        ("anonymous", None, anonymous),
        ("owner", world.owner, _owner_pages(world)),
        ("staff", world.staff, _member_pages(world)),
    )
    for persona, user, pages in personas:
        context = browser.new_context(base_url=live_server.url, locale=language)
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            if user is not None:
                _log_in(page, user.email)
            for width, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                for name, url in pages.items():
                    _check(page, f"{language} {persona} {width}px {name}", url, found)
        finally:
            context.close()
    print(f"{language}: {time.monotonic() - started:.1f}s")
    found = sorted(set(found))
    assert not found, f"{len(found)} serious axe violations:\n" + "\n".join(found)


SMALLEST_TEXT_PX = """() => [...document.querySelectorAll(".chart svg")].map(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll("text")].map(
        t => parseFloat(getComputedStyle(t).fontSize) * scale);
    return Math.min(...sizes);
})"""


def test_charts_are_legible_on_a_phone(browser, live_server, world, shot):
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORTS["375"], is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        _log_in(page, world.owner.email)
        for name, url in (
            ("home", reverse("home")),
            ("client", reverse("assessments:client_detail", args=[world.client.pk])),
        ):
            page.goto(url)
            smallest = page.evaluate(SMALLEST_TEXT_PX)
            assert smallest, f"no chart on the {name} page"
            # The drawn size: 10 px for the smallest label, never squeezed below it.
            assert min(smallest) >= 10, f"{name}: chart text {min(smallest):.1f} px"
            # The chart scrolls inside its box; the page itself keeps the phone's width.
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            shot(page, f"a11y-charts-{name}-375")
    finally:
        context.close()
