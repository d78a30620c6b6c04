"""Invoices: owners only; numbers unique per business; dates, amounts and disputes checked."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.forms.money import InvoiceForm
from assessments.models import Invoice
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme", payment_terms_days=14)


def invoice_data(**overrides):
    data = {
        "number": "INV-1",
        "issued_on": "2025-03-01",
        "due_on": "",
        "amount": "1200.50",
        "paid_on": "",
        "dispute_note": "",
        "discount_pushed": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def create_url(client):
    return reverse("assessments:invoice_create", args=[client.pk])


def test_create_invoice_personas(anon_client, outsider_client, staff_client, owner_client, acme):
    url = create_url(acme)
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, invoice_data()).status_code == 404
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, invoice_data()).status_code == 403
    assert not Invoice.objects.exists()
    assert owner_client.get(url).status_code == 200


def test_owner_adds_invoice_due_date_defaults_to_terms(owner_client, acme):
    response = owner_client.post(create_url(acme), invoice_data())
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.business == acme.business and invoice.client == acme
    assert invoice.amount == Decimal("1200.50")
    assert invoice.issued_on == date(2025, 3, 1)
    assert invoice.due_on == date(2025, 3, 15)  # 14 days of payment terms
    assert invoice.discount_pushed == Decimal("0")


def test_disputed_invoice_needs_a_note(owner_client, acme):
    response = owner_client.post(create_url(acme), invoice_data(disputed="on"))
    assert response.status_code == 400
    assert "Say what the client disputed." in response.content.decode()
    assert not Invoice.objects.exists()
    response = owner_client.post(
        create_url(acme),
        invoice_data(disputed="on", dispute_note="Said the work was simpler", discount_pushed="50"),
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.disputed and invoice.dispute_note == "Said the work was simpler"
    assert invoice.discount_pushed == Decimal("50")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "-5"}, "more than 0"),
        ({"amount": "0"}, "more than 0"),
        ({"amount": "1000000000"}, ""),
        ({"amount": "99999999999999"}, ""),
        ({"amount": "12.345"}, ""),
        ({"amount": "NaN"}, ""),
        ({"amount": "abc"}, ""),
        ({"issued_on": "2026-02-30"}, ""),
        ({"issued_on": "1000-01-01"}, "1970"),
        ({"due_on": "2025-02-01"}, "before the issue date"),
        ({"paid_on": "2025-02-28"}, "paid before it was issued"),
        ({"paid_on": (timezone.localdate() + timedelta(days=5)).isoformat()}, "future"),
        ({"number": ""}, ""),
        ({"number": "N" * 61}, ""),
        ({"number": "A\x00B"}, ""),
        ({"discount_pushed": "-1"}, ""),
        ({"discount_pushed": "5000"}, "more than the amount"),
        ({"dispute_note": "x" * 1001, "disputed": "on"}, ""),
    ],
)
def test_bad_invoice_input_saves_nothing(owner_client, acme, overrides, message):
    response = owner_client.post(create_url(acme), invoice_data(**overrides))
    assert response.status_code == 400
    if message:
        assert message in response.content.decode()
    assert not Invoice.objects.exists()


def test_duplicate_number_is_a_form_error(owner_client, acme, business, other_business):
    factories.invoice(acme, number="INV-1")
    # The same number in another business does not matter.
    factories.invoice(factories.client(other_business), number="INV-2")
    response = owner_client.post(create_url(acme), invoice_data(number="INV-1"))
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert Invoice.objects.filter(business=business).count() == 1
    assert owner_client.post(create_url(acme), invoice_data(number="INV-2")).status_code == 302


def test_duplicate_number_race_is_a_form_error(owner_client, acme, monkeypatch):
    """Two owners save the same number at once: the form's check passes for both."""
    factories.invoice(acme, number="INV-1")
    monkeypatch.setattr(InvoiceForm, "_number_taken", lambda self, number: False)
    response = owner_client.post(create_url(acme), invoice_data(number="INV-1"))
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert Invoice.objects.count() == 1


def test_offboarded_client_gets_no_new_invoice(owner_client, acme):
    acme.status = "offboarded"
    acme.save()
    response = owner_client.post(create_url(acme), invoice_data(), follow=True)
    assert "This client is offboarded: do not re-engage." in response.content.decode()
    assert not Invoice.objects.exists()
    response = owner_client.get(create_url(acme))
    assert response.status_code == 302


def test_edit_invoice_personas_and_happy_path(
    anon_client, outsider_client, staff_client, owner_client, acme
):
    invoice = factories.invoice(acme, number="INV-9", amount=Decimal("100.00"))
    url = reverse("assessments:invoice_edit", args=[invoice.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, invoice_data(number="INV-9", amount="1")).status_code == 403
    data = invoice_data(
        number="INV-9",
        issued_on=invoice.issued_on.isoformat(),
        due_on=invoice.due_on.isoformat(),
        amount="150.00",
    )
    assert owner_client.post(url, data).status_code == 302
    invoice.refresh_from_db()
    assert invoice.amount == Decimal("150.00")
    # Keeping its own number is not a duplicate; taking another invoice's is.
    factories.invoice(acme, number="INV-10")
    response = owner_client.post(url, {**data, "number": "INV-10"})
    assert response.status_code == 400
    invoice.refresh_from_db()
    assert invoice.number == "INV-9"


def test_old_invoices_of_offboarded_clients_stay_editable(owner_client, acme):
    invoice = factories.invoice(acme, number="INV-9")
    acme.status = "offboarded"
    acme.save()
    url = reverse("assessments:invoice_mark_paid", args=[invoice.pk])
    assert owner_client.post(url, {"paid_on": timezone.localdate().isoformat()}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.paid_on == timezone.localdate()


def test_mark_paid_personas_and_checks(
    anon_client, outsider_client, staff_client, owner_client, acme
):
    invoice = factories.invoice(acme, issued_on=date(2025, 3, 1))
    url = reverse("assessments:invoice_mark_paid", args=[invoice.pk])
    today = timezone.localdate().isoformat()
    assert owner_client.get(url).status_code == 405
    assert anon_client.post(url, {"paid_on": today}).status_code == 302
    assert outsider_client.post(url, {"paid_on": today}).status_code == 404
    assert staff_client.post(url, {"paid_on": today}).status_code == 403
    for bad in ("2025-02-01", "2025-02-30", "", "1000-01-01", "9999-01-01"):
        owner_client.post(url, {"paid_on": bad})
        invoice.refresh_from_db()
        assert invoice.paid_on is None, bad
    response = owner_client.post(url, {"paid_on": "2025-03-20"}, follow=True)
    assert "marked paid" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.paid_on == date(2025, 3, 20)
