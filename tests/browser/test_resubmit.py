"""Back after saving, then Save again: one incident and one invoice, not two (issue 19)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Incident, Invoice
from tests import factories
from tests.browser.test_journeys import _iso, _log_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-enough-secret"


@pytest.fixture
def setup():
    business = factories.business(name="Back Button Studio")
    owner = factories.member(business, email="owner@back.test", role="owner", name="Olga")
    owner.set_password(PASSWORD)
    owner.save()
    client = factories.client(business, name="Resubmit Ltd")
    return owner, client


def test_back_and_save_again_keeps_one_incident_and_one_invoice(new_page, shot, setup):
    owner, client = setup
    page = new_page()
    _log_in(page, owner.email, PASSWORD)

    page.goto(client.get_absolute_url())
    page.get_by_role("link", name="Log incident").click()
    page.get_by_label("What kind of incident").select_option(label="Complaint")
    page.get_by_label("What happened").fill("Phoned twice to complain about the logo colour.")
    page.get_by_role("button", name="Save incident").click()
    expect(page.get_by_text("recorded for Resubmit Ltd")).to_be_visible()
    page.go_back()
    page.get_by_role("button", name="Save incident").click()
    expect(page.get_by_text("already saved")).to_be_visible()
    shot(page, "resubmit-incident")
    assert Incident.objects.filter(client=client).count() == 1
    assert page.url.endswith(Incident.objects.get().get_absolute_url())

    page.goto(client.get_absolute_url())
    page.get_by_role("link", name="Add invoice").click()
    page.get_by_label("Invoice number").fill("BACK-1")
    page.get_by_label("Issued on").fill(_iso(5))
    page.get_by_label("Amount (EUR)").fill("900.00")
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.get_by_text("Invoice BACK-1 added")).to_be_visible()
    page.go_back()
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.get_by_text("already saved")).to_be_visible()
    shot(page, "resubmit-invoice")
    assert Invoice.objects.filter(client=client).count() == 1
