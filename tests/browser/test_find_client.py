"""Staff at a business with many clients, on a 375-pixel phone: find the client, then log.

The list limit is lowered so that four clients count as many; the live server runs in
this process, so it sees the lowered limit.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.forms import incidents as incident_forms
from assessments.models import Incident
from tests import factories
from tests.browser.test_journeys import PHONE, Effort, _fits_the_width, _log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_finds_the_client_then_logs_the_incident_in_under_a_minute(
    new_page, shot, monkeypatch
):
    monkeypatch.setattr(incident_forms, "CLIENT_LIST_MAX", 3)
    business = factories.business(name="Kovač Joinery", time_zone="Europe/Zagreb")
    factories.member(business, role="staff", email="luka@kovac.test", name="Luka Babić")
    for name in ("Anić Bakery", "Babić Windows", "Cvitan Roofing", "Dukić Tiles"):
        factories.client(business, name=name)
    horvat = factories.client(business, name="Horvat Logistics d.o.o.")
    factories.contact(horvat, name="Marko Horvat")

    phone = new_page(**PHONE)
    effort = Effort(phone)
    _log_in(phone, "luka@kovac.test", factories.PASSWORD, effort)
    login_effort = effort.seconds

    effort.tap(phone.get_by_role("link", name="Log an incident"))
    expect(phone.get_by_text("First, which client is it about?")).to_be_visible()
    assert _fits_the_width(phone, 375)
    # The search knows contacts too: the person's name finds their company.
    effort.type(phone.get_by_label("Client or contact name"), "marko")
    effort.tap(phone.get_by_role("button", name="Find"))
    expect(phone.get_by_role("link", name="Horvat Logistics d.o.o.")).to_be_visible()
    assert _fits_the_width(phone, 375)
    shot(phone, "staff-find-01-search-375")
    effort.tap(phone.get_by_role("link", name="Horvat Logistics d.o.o."))

    form = phone.locator("form.incident-form")
    expect(form).to_be_visible()
    expect(phone.get_by_label("Client")).to_have_value(str(horvat.pk))
    effort.choose(
        phone.get_by_label("What kind of incident"), "Verbal abuse, shouting or name-calling"
    )
    effort.type(phone.get_by_label("What happened"), "Shouted at me on site again.")
    effort.tap(phone.locator("details.more-details summary"))
    effort.choose(phone.get_by_label("Contact person"), "Marko Horvat (Horvat Logistics d.o.o.)")
    assert _fits_the_width(phone, 375)
    shot(phone, "staff-find-02-form-375")
    effort.tap(phone.get_by_role("button", name="Save incident"))
    expect(phone.get_by_text("recorded for Horvat Logistics d.o.o.")).to_be_visible()

    incident = Incident.objects.get(business=business)
    assert incident.client == horvat and incident.contact.name == "Marko Horvat"
    assert effort.seconds - login_effort < 60, f"{effort.taps} taps, {effort.characters} chars"
    assert phone.csp_errors == []
