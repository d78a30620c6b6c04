"""Contract terms as data: the plan takes notice from the contract, warns when the owner
gives less, and the letter cites the termination clause."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.forms.clients import ClientForm
from assessments.models import Client
from assessments.plan import default_choices
from assessments.services import plans as services
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db


def _review(business, **contract):
    client = factories.client(business, name="Kai Client", has_written_contract=True, **contract)
    factories.contact(client, name="Kai")
    helpers.paid_invoice(client)
    return client, helpers.completed_assessment(client)


def _letter(plan) -> str:
    from assessments import pdf

    html = pdf.plan_html(plan)
    section = re.search(r'<div class="letter"[^>]*>.*?</div>', html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", section).split()).replace("&#x27;", "'")


# contract notice, clause, days chosen (None: the default), expected days, warned, cited
CASES = [
    (None, False, None, 14, False, None),
    (30, False, None, 30, False, None),
    (30, True, None, 30, False, "with 30 days' notice"),
    (30, True, 21, 21, True, None),
    (None, True, None, 14, False, "This follows the termination clause of our contract."),
]


@pytest.mark.parametrize("notice,clause,chosen,days,warned,cited", CASES)
def test_notice_follows_the_contract(business, owner, notice, clause, chosen, days, warned, cited):
    business.notice_period_days = 14
    business.save(update_fields=["notice_period_days"])
    _client, assessment = _review(
        business, contract_notice_days=notice, has_termination_clause=clause
    )
    s = services.load_situation(assessment)
    choices = default_choices(s)
    assert choices["notice_days"] == (notice or 14)
    if chosen:
        choices["notice_days"] = chosen
    choices["provider_kind"] = "a larger agency"
    plan = services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    assert plan.notice_days == days
    assert bool(s.notice_warning(plan.notice_days, plan.notice_kind)) is warned
    letter = _letter(plan)
    assert f"{days} days from today" in letter
    if cited:
        assert cited in letter
    else:
        assert "termination clause" not in letter


def test_the_plan_page_warns_when_the_notice_is_shorter(owner_client, business, owner):
    _client, assessment = _review(business, contract_notice_days=30, has_termination_clause=True)
    choices = default_choices(services.load_situation(assessment))
    choices.update(notice_days=10, provider_kind="a larger agency")
    plan = services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    page = owner_client.get(plan.get_absolute_url()).content.decode()
    assert "The contract asks for 30 days&#x27; notice and the plan gives 10" in page
    form_page = owner_client.post(
        reverse("assessments:plan_edit", args=[plan.pk]),
        helpers.plan_post(notice_days="10", preview="1"),
    )
    assert form_page.status_code == 200  # a warning, not an error
    assert "notice-warning" in form_page.content.decode()


@pytest.mark.parametrize("value", ["0", "366", "-1", "thirty"])
def test_the_client_form_refuses_a_bad_notice_period(business, value):
    client = factories.client(business, name="Kai Client")
    data = {
        "name": "Kai Client",
        "client_since": "2025-01-01",
        "status": "active",
        "billing_model": "hourly",
        "payment_terms_days": "30",
        "contract_notice_days": value,
        "referrals_sent": "0",
    }
    form = ClientForm(data, instance=client, business=business)
    assert not form.is_valid() and "contract_notice_days" in form.errors
    client.refresh_from_db()
    assert client.contract_notice_days is None
    data["contract_notice_days"] = "30"
    data["has_termination_clause"] = "on"
    form = ClientForm(data, instance=client, business=business)
    assert form.is_valid(), form.errors
    form.save()
    saved = Client.objects.get(pk=client.pk)
    assert saved.contract_notice_days == 30 and saved.has_termination_clause
