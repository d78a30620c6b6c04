"""Clients: create and edit (owners only), no delete, bad input saves nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Client, Contact
from tests import factories

pytestmark = pytest.mark.django_db


def client_data(**overrides):
    data = {
        "name": "Acme Ltd",
        "client_since": "2020-05-01",
        "status": "active",
        "billing_model": "hourly",
        "payment_terms_days": "30",
        "contract_terms": "",
        "referrals_sent": "0",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_create_client_personas(anon_client, staff_client, outsider_client, owner_client):
    url = reverse("assessments:client_create")
    assert anon_client.get(url).status_code == 302
    assert reverse("accounts:login") in anon_client.get(url)["Location"]
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, client_data()).status_code == 403
    assert owner_client.get(url).status_code == 200
    assert not Client.objects.exists()


def test_owner_creates_client_with_first_contact(owner_client, business):
    data = client_data(
        **{
            "contact-name": "Γιώργος Παπαδόπουλος",
            "contact-role": "Director",
            "contact-email": "g@example.test",
            "contact-phone": "+30 21 0000 1234",
        }
    )
    response = owner_client.post(reverse("assessments:client_create"), data)
    client = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == client.get_absolute_url()
    assert client.business == business
    assert client.name == "Acme Ltd"
    contact = Contact.objects.get()
    assert (contact.client, contact.business, contact.name) == (
        client,
        business,
        "Γιώργος Παπαδόπουλος",
    )


def test_first_contact_is_optional_but_needs_a_name_when_given(owner_client):
    url = reverse("assessments:client_create")
    assert owner_client.post(url, client_data()).status_code == 302
    assert Client.objects.count() == 1 and not Contact.objects.exists()
    response = owner_client.post(url, client_data(name="Other", **{"contact-email": "x@y.test"}))
    assert response.status_code == 400
    assert "Give the contact" in response.content.decode()
    assert Client.objects.count() == 1 and not Contact.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"name": "bad\x00name"},
        {"client_since": "2026-02-30"},
        {"client_since": "1000-01-01"},
        {"client_since": (timezone.localdate() + timedelta(days=3)).isoformat()},
        {"payment_terms_days": "-1"},
        {"payment_terms_days": "9999"},
        {"status": "deleted"},
        {"referrals_sent": "abc"},
        {"notes": "x" * 20001},
        {"contract_terms": "😀" * 5001},
    ],
)
def test_bad_client_input_saves_nothing(owner_client, overrides):
    response = owner_client.post(reverse("assessments:client_create"), client_data(**overrides))
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not Client.objects.exists()


def test_duplicate_client_name_is_refused(owner_client, business, other_business):
    factories.client(business, name="Acme Ltd")
    factories.client(other_business, name="Other Co")
    response = owner_client.post(reverse("assessments:client_create"), client_data(name="acme ltd"))
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    # Another business's names do not count.
    assert (
        owner_client.post(
            reverse("assessments:client_create"), client_data(name="Other Co")
        ).status_code
        == 302
    )


def test_markup_in_names_is_shown_as_text(owner_client):
    owner_client.post(
        reverse("assessments:client_create"), client_data(name='"><img src=x onerror=alert(1)>')
    )
    client = Client.objects.get()
    page = owner_client.get(client.get_absolute_url()).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_edit_client_personas(anon_client, staff_client, outsider_client, owner_client, business):
    client = factories.client(business, name="Acme")
    url = reverse("assessments:client_edit", args=[client.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, client_data(name="Stolen")).status_code == 404
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, client_data(name="Renamed")).status_code == 403
    client.refresh_from_db()
    assert client.name == "Acme"


def test_owner_edits_client_and_offboarding_stamps_the_date(owner_client, business):
    client = factories.client(business, name="Acme")
    url = reverse("assessments:client_edit", args=[client.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, client_data(name="Acme", status="offboarded"))
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.status == "offboarded"
    assert client.offboarded_on == timezone.localdate()
    page = owner_client.get(client.get_absolute_url()).content.decode()
    assert "Do not re-engage." in page
    owner_client.post(url, client_data(name="Acme", status="active"))
    client.refresh_from_db()
    assert client.offboarded_on is None


def test_bad_edit_changes_nothing(owner_client, business):
    client = factories.client(business, name="Acme", payment_terms_days=30)
    url = reverse("assessments:client_edit", args=[client.pk])
    response = owner_client.post(url, client_data(name="Acme", payment_terms_days="400"))
    assert response.status_code == 400
    client.refresh_from_db()
    assert client.payment_terms_days == 30


def test_there_is_no_way_to_delete_a_client_or_its_records():
    from assessments.urls import urlpatterns

    records = ("client", "contact", "invoice", "time")
    deleting = [
        pattern
        for pattern in urlpatterns
        if any(r in (pattern.name or "") for r in records)
        and ("delete" in pattern.name or "delete" in str(pattern.pattern))
    ]
    assert deleting == []
    assert {"client_edit", "contact_edit", "invoice_edit", "time_edit"} <= {
        pattern.name for pattern in urlpatterns
    }
