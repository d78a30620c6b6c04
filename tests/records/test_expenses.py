"""Expenses (owners only: staff see no money) and the business's default payment terms."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import figures
from assessments.models import Client, Expense, Invoice
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme")


def expense_data(**overrides):
    data = {
        "date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "amount": "84.50",
        "category": "travel",
        "note": "Train to the site meeting",
    }
    data.update(overrides)
    return data


def create_url(client):
    return reverse("assessments:expense_create", args=[client.pk])


@pytest.mark.parametrize("name", ["expense_create", "expense_list"])
def test_expense_personas(anon_client, staff_client, outsider_client, owner_client, acme, name):
    url = reverse(f"assessments:{name}", args=[acme.pk])
    response = anon_client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, expense_data()).status_code == 403
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, expense_data()).status_code == 404
    assert not Expense.objects.exists()
    assert owner_client.get(url).status_code == 200


def test_owner_adds_and_edits_an_expense_and_it_counts_as_cost(owner_client, acme):
    response = owner_client.post(create_url(acme), expense_data())
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.amount, expense.category, expense.client, expense.business) == (
        Decimal("84.50"),
        "travel",
        acme,
        acme.business,
    )
    page = owner_client.get(acme.get_absolute_url()).content.decode()
    assert "of which expenses 84.50" in page
    listed = owner_client.get(reverse("assessments:expense_list", args=[acme.pk]))
    assert "Train to the site meeting" in listed.content.decode()
    edit = reverse("assessments:expense_edit", args=[expense.pk])
    response = owner_client.post(edit, expense_data(amount="90.00", category=""))
    assert response.status_code == 302
    expense.refresh_from_db()
    assert (expense.amount, expense.category) == (Decimal("90.00"), "")
    assert figures.client_figures(acme).summary.cost == Decimal("90.00")


def test_expense_edit_personas(anon_client, staff_client, outsider_client, acme):
    expense = Expense.objects.create(
        business=acme.business, client=acme, date=timezone.localdate(), amount="5.00"
    )
    url = reverse("assessments:expense_edit", args=[expense.pk])
    assert anon_client.get(url).status_code == 302
    assert staff_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, expense_data(amount="1.00")).status_code == 404
    expense.refresh_from_db()
    assert expense.amount == Decimal("5.00")


@pytest.mark.parametrize(
    "bad",
    [
        {"amount": ""},
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "abc"},
        {"amount": "1000000000"},
        {"amount": "1.234"},
        {"date": ""},
        {"date": "1969-12-31"},
        {"date": (timezone.localdate() + timedelta(days=2)).isoformat()},
        {"category": "yachts"},
        {"note": "x" * 1001},
    ],
)
def test_bad_expense_saves_nothing(owner_client, acme, bad):
    response = owner_client.post(create_url(acme), expense_data(**bad))
    assert response.status_code == 400
    assert not Expense.objects.exists()


def test_no_new_expense_for_an_offboarded_client(owner_client, acme):
    acme.status = Client.Status.OFFBOARDED
    acme.save()
    response = owner_client.post(create_url(acme), expense_data())
    assert response.status_code == 302
    assert not Expense.objects.exists()


def test_business_default_payment_terms_for_new_clients_and_their_invoices(owner_client, business):
    business.payment_terms_days = 14
    business.save()
    page = owner_client.get(reverse("assessments:client_create"))
    assert page.context["form"]["payment_terms_days"].value() == 14
    data = {
        "name": "Quick Payers",
        "client_since": "2024-01-01",
        "status": "active",
        "billing_model": "fixed",
        "payment_terms_days": "14",
        "contract_terms": "",
        "referrals_sent": "",
        "notes": "",
    }
    assert owner_client.post(reverse("assessments:client_create"), data).status_code == 302
    client = Client.objects.get(name="Quick Payers")
    issued = timezone.localdate() - timedelta(days=5)
    owner_client.post(
        reverse("assessments:invoice_create", args=[client.pk]),
        {"number": "Q-1", "issued_on": issued.isoformat(), "amount": "100.00"},
    )
    assert Invoice.objects.get(number="Q-1").due_on == issued + timedelta(days=14)


@pytest.mark.parametrize(("value", "saved"), [("21", 21), ("400", 30), ("-1", 30), ("x", 30)])
def test_business_settings_edit_the_default_terms(owner_client, business, value, saved):
    data = {
        "name": business.name,
        "time_zone": "Europe/London",
        "currency": "EUR",
        "contact_hours_start": "09:00",
        "contact_hours_end": "17:30",
        "contact_days": ["0", "1", "2", "3", "4"],
        "notice_period_days": "30",
        "cooling_off_days": "3",
        "payment_terms_days": value,
        "staff_cost_rate": "50.00",
    }
    owner_client.post(reverse("accounts:settings"), data)
    business.refresh_from_db()
    assert business.payment_terms_days == saved
