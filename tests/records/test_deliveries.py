"""Deliveries: what was handed over and when, and the incidents that say they were about it.

Any member records a delivery (staff never see the invoice it was billed on); the
incident form offers the chosen client's latest deliveries (and, to owners, invoices)
one tap each; an incident about another client's delivery, another business's, or an
invoice offered to nobody is refused with a message and saves nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Delivery, Incident
from assessments.services.incidents import verify_chain
from tests import factories
from tests.records.test_incidents import form_data as incident_data

pytestmark = pytest.mark.django_db

INCIDENT_URL = reverse("assessments:incident_create")


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme Ltd")


def _token(response) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def _delivery_data(**overrides) -> dict:
    data = {
        "delivered_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "title": "Spring catalogue, final files",
        "note": "",
    }
    data.update(overrides)
    return data


# --- Recording deliveries ---------------------------------------------------------------


def test_owner_records_a_delivery_billed_on_an_invoice_once(owner_client, acme):
    invoice = factories.invoice(acme, number="2026-014")
    url = reverse("assessments:delivery_create", args=[acme.pk])
    token = _token(owner_client.get(url))
    data = _delivery_data(invoice=invoice.pk, form_token=token)
    first = owner_client.post(url, data)
    assert first.status_code == 302
    assert first["Location"] == reverse("assessments:delivery_list", args=[acme.pk])
    # Back and Save again: the same token shows what was saved, adds nothing.
    second = owner_client.post(url, data, follow=True)
    assert "already saved" in second.content.decode()
    delivery = Delivery.objects.get(client=acme)
    assert (delivery.title, delivery.invoice, delivery.recorded_by.email) == (
        "Spring catalogue, final files",
        invoice,
        "owner@alpha.test",
    )
    page = owner_client.get(reverse("assessments:delivery_list", args=[acme.pk])).content.decode()
    assert "Spring catalogue, final files" in page and "2026-014" in page


def test_staff_record_deliveries_but_never_see_or_set_invoices(staff_client, acme):
    invoice = factories.invoice(acme, number="2026-777")
    url = reverse("assessments:delivery_create", args=[acme.pk])
    form = staff_client.get(url).content.decode()
    assert 'name="invoice"' not in form and "2026-777" not in form
    response = staff_client.post(url, _delivery_data(invoice=invoice.pk))
    assert response.status_code == 302
    assert Delivery.objects.get(client=acme).invoice is None
    page = staff_client.get(reverse("assessments:delivery_list", args=[acme.pk])).content.decode()
    assert "2026-777" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "   "}, "Say what was delivered."),
        ({"title": ""}, "Say what was delivered."),
        (
            {"delivered_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
            "A delivery is recorded once it has been made.",
        ),
        ({"delivered_on": "1925-01-01"}, "dates before 1970 are not accepted"),
        ({"delivered_on": "31/31/2026"}, "Enter a valid date."),
        ({"invoice": "99999999999999999999"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(owner_client, acme, overrides, message):
    response = owner_client.post(
        reverse("assessments:delivery_create", args=[acme.pk]), _delivery_data(**overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Delivery.objects.exists()


def test_another_clients_invoice_is_refused(owner_client, business, acme):
    theirs = factories.invoice(factories.client(business, name="Other Co"), number="OTH-1")
    response = owner_client.post(
        reverse("assessments:delivery_create", args=[acme.pk]), _delivery_data(invoice=theirs.pk)
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not Delivery.objects.exists()


def test_an_offboarded_client_gets_no_new_delivery(owner_client, acme):
    acme.status = acme.Status.OFFBOARDED
    acme.save(update_fields=["status"])
    response = owner_client.post(
        reverse("assessments:delivery_create", args=[acme.pk]), _delivery_data(), follow=True
    )
    assert "offboarded" in response.content.decode()
    assert not Delivery.objects.exists()


def test_who_may_edit_a_delivery(owner_client, staff_client, outsider_client, acme, owner, staff):
    mine = factories.delivery(acme, title="Staff's own", recorded_by=staff)
    theirs = factories.delivery(acme, title="The owner's", recorded_by=owner)
    edit = lambda d: reverse("assessments:delivery_edit", args=[d.pk])  # noqa: E731
    assert staff_client.post(edit(mine), _delivery_data(title="Fixed")).status_code == 302
    assert staff_client.get(edit(theirs)).status_code == 403
    assert outsider_client.get(edit(mine)).status_code == 404
    assert owner_client.post(edit(theirs), _delivery_data(title="Renamed")).status_code == 302
    assert set(Delivery.objects.values_list("title", flat=True)) == {"Fixed", "Renamed"}


# --- Incidents about a delivery or an invoice ---------------------------------------------


def test_the_phone_form_offers_the_clients_latest_deliveries_one_tap_each(
    staff_client, business, acme
):
    for days, title in ((60, "Logo"), (30, "Brochure"), (10, "Photos"), (5, "Flyer")):
        factories.delivery(acme, title=title, delivered_on=timezone.localdate() - timedelta(days))
    factories.invoice(acme, number="2026-050")
    factories.delivery(factories.client(business, name="Other Co"), title="Not theirs")
    page = staff_client.get(INCIDENT_URL, {"client": acme.pk}).content.decode()
    offered = re.findall(
        r'<label class="btn btn-sm btn-outline-secondary"[^>]*>([^<]+)</label>', page
    )
    # The latest three, newest first, after "nothing in particular"; no invoice for staff.
    assert [label.split(" · ")[0] for label in offered] == [
        "Nothing in particular",
        "Flyer",
        "Photos",
        "Brochure",
    ]
    assert "Not theirs" not in page and "2026-050" not in page
    assert 'type="radio" name="about"' in page


def test_a_complaint_about_a_delivery_is_recorded_and_in_the_chain(staff_client, business, acme):
    work = factories.delivery(acme, title="Brochure, print files")
    response = staff_client.post(
        INCIDENT_URL, incident_data(acme, category="complaint", about=f"d{work.pk}")
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (incident.delivery, incident.invoice) == (work, None)
    assert incident.versions.get().content["delivery"] == work.pk
    assert verify_chain(business) == []
    listed = staff_client.get(
        reverse("assessments:incident_list"), {"client": acme.pk, "delivery": work.pk}
    ).content.decode()
    assert f"#{incident.number}" in listed and "Brochure, print files" in listed
    deliveries = staff_client.get(
        reverse("assessments:delivery_list", args=[acme.pk])
    ).content.decode()
    assert "1 incident" in deliveries


def test_owners_may_tie_an_incident_to_an_invoice(owner_client, acme):
    invoice = factories.invoice(acme, number="2026-021")
    page = owner_client.get(INCIDENT_URL, {"client": acme.pk}).content.decode()
    assert "Invoice 2026-021" in page
    response = owner_client.post(
        INCIDENT_URL, incident_data(acme, category="payment_dispute", about=f"i{invoice.pk}")
    )
    assert response.status_code == 302
    assert Incident.objects.get().invoice == invoice


@pytest.mark.parametrize(
    "about",
    [
        "other-client-delivery",
        "other-business-delivery",
        "staff-invoice",
        "x12",
        "d",
        "d99999999999999999999999",
        "d-3",
        "d²",
    ],
)
def test_an_incident_about_what_is_not_the_clients_is_refused(
    staff_client, business, other_business, acme, about
):
    other = factories.delivery(factories.client(business, name="Other Co"))
    elsewhere = factories.delivery(factories.client(other_business, name="Bravo"))
    invoice = factories.invoice(acme)
    value = {
        "other-client-delivery": f"d{other.pk}",
        "other-business-delivery": f"d{elsewhere.pk}",
        "staff-invoice": f"i{invoice.pk}",
    }.get(about, about)
    response = staff_client.post(INCIDENT_URL, incident_data(acme, about=value))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose one of this client" in text or "Choose one of the deliveries or invoices" in text
    assert not Incident.objects.exists()


def test_amending_what_an_incident_was_about_keeps_every_version(staff_client, business, acme):
    first = factories.delivery(acme, title="First batch")
    second = factories.delivery(acme, title="Second batch")
    incident = factories.incident(acme, delivery=first)
    page = staff_client.get(reverse("assessments:incident_amend", args=[incident.pk]))
    assert f'value="d{first.pk}"' in page.content.decode()
    data = {
        "reason": "It was about the second batch.",
        "category": incident.category,
        "severity": incident.severity,
        "description": incident.description,
        "occurred_at": timezone.localtime(incident.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "channel": incident.channel,
        "outside_hours": "on" if incident.outside_hours else "",
        "outside_hours_shown": str(incident.outside_hours),
        "witnesses": "",
        "about": f"d{second.pk}",
    }
    response = staff_client.post(reverse("assessments:incident_amend", args=[incident.pk]), data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.delivery == second
    assert [v.content.get("delivery") for v in incident.versions.order_by("version")] == [
        first.pk,
        second.pk,
    ]
    assert verify_chain(business) == []
