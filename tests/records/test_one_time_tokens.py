"""One-time form tokens: Back and Save again shows what was saved instead of a duplicate.

Each create form (incident, invoice, time) carries a fresh token; the same token
submitted twice creates one record and the second answer leads to it. A fresh form
(a new token) may still create an identical record: that can be a genuine second one.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Incident, Invoice, Submission, TimeEntry
from tests import factories
from tests.records.test_incidents import form_data as incident_data

pytestmark = pytest.mark.django_db

INCIDENT_URL = reverse("assessments:incident_create")


def token_on(response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert match, "the form has no one-time token"
    return match.group(1)


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme Ltd")


def invoice_data(number: str) -> dict:
    issued = timezone.localdate() - timedelta(days=10)
    return {
        "number": number,
        "issued_on": issued.isoformat(),
        "due_on": (issued + timedelta(days=30)).isoformat(),
        "amount": "1250.00",
        "paid_on": "",
        "dispute_note": "",
        "discount_pushed": "",
    }


def time_data(user) -> dict:
    day = timezone.localdate() - timedelta(days=1)
    return {"date": day.isoformat(), "duration": "1:30", "kind": "billable", "user": user.pk}


def test_each_form_page_has_its_own_token(staff_client, owner_client, acme):
    first = token_on(staff_client.get(INCIDENT_URL, {"client": acme.pk}))
    second = token_on(staff_client.get(INCIDENT_URL, {"client": acme.pk}))
    assert first != second
    assert token_on(owner_client.get(reverse("assessments:invoice_create", args=[acme.pk])))
    assert token_on(owner_client.get(reverse("assessments:time_create", args=[acme.pk])))


def test_incident_resubmitted_is_saved_once(staff_client, acme):
    token = token_on(staff_client.get(INCIDENT_URL, {"client": acme.pk}))
    data = {**incident_data(acme), "form_token": token}
    first = staff_client.post(INCIDENT_URL, data)
    incident = Incident.objects.get()
    assert first["Location"] == incident.get_absolute_url()

    again = staff_client.post(INCIDENT_URL, data, follow=True)
    assert Incident.objects.count() == 1
    assert again.redirect_chain[-1][0] == incident.get_absolute_url()
    assert "already saved" in again.content.decode()

    # A fresh form: the same words again are a second incident, as the person meant.
    fresh = token_on(staff_client.get(INCIDENT_URL, {"client": acme.pk}))
    staff_client.post(INCIDENT_URL, {**incident_data(acme), "form_token": fresh})
    assert Incident.objects.count() == 2


def test_bad_input_keeps_the_token_unused(staff_client, acme):
    token = token_on(staff_client.get(INCIDENT_URL, {"client": acme.pk}))
    bad = staff_client.post(INCIDENT_URL, {**incident_data(acme, severity=""), "form_token": token})
    assert bad.status_code == 400 and not Incident.objects.exists()
    assert token_on(bad) == token  # the re-shown form keeps it
    staff_client.post(INCIDENT_URL, {**incident_data(acme), "form_token": token})
    staff_client.post(INCIDENT_URL, {**incident_data(acme), "form_token": token})
    assert Incident.objects.count() == 1


def test_a_forged_token_is_not_a_token(staff_client, acme):
    data = {**incident_data(acme), "form_token": "<script>"}
    staff_client.post(INCIDENT_URL, data)
    staff_client.post(INCIDENT_URL, data)
    assert Incident.objects.count() == 2 and not Submission.objects.exists()


def test_tokens_are_per_business(staff_client, outsider_client, acme, outsider):
    b_client = factories.client(outsider.memberships.get().business, name="Bravo")
    token = token_on(staff_client.get(INCIDENT_URL, {"client": acme.pk}))
    staff_client.post(INCIDENT_URL, {**incident_data(acme), "form_token": token})
    # The same token in business B is B's own: it neither finds A's incident nor blocks B.
    response = outsider_client.post(INCIDENT_URL, {**incident_data(b_client), "form_token": token})
    b_incident = Incident.objects.get(business=b_client.business)
    assert response["Location"] == b_incident.get_absolute_url()


def test_invoice_resubmitted_is_saved_once(owner_client, acme):
    url = reverse("assessments:invoice_create", args=[acme.pk])
    token = token_on(owner_client.get(url))
    data = {**invoice_data("A-100"), "form_token": token}
    assert owner_client.post(url, data).status_code == 302
    again = owner_client.post(url, data, follow=True)
    assert Invoice.objects.count() == 1
    assert again.redirect_chain[-1][0] == acme.get_absolute_url()
    assert "already saved" in again.content.decode()
    # A fresh form with the same number is refused for the number, not silently merged.
    fresh = token_on(owner_client.get(url))
    refused = owner_client.post(url, {**invoice_data("A-100"), "form_token": fresh})
    assert refused.status_code == 400 and Invoice.objects.count() == 1
    # ... and once corrected, that same form saves.
    assert owner_client.post(url, {**invoice_data("A-101"), "form_token": fresh}).status_code == 302
    assert Invoice.objects.count() == 2


def test_time_resubmitted_is_saved_once(staff_client, staff, acme):
    url = reverse("assessments:time_create", args=[acme.pk])
    token = token_on(staff_client.get(url))
    data = {**time_data(staff), "form_token": token}
    staff_client.post(url, data)
    staff_client.post(url, data)
    assert TimeEntry.objects.count() == 1
    fresh = token_on(staff_client.get(url))
    staff_client.post(url, {**time_data(staff), "form_token": fresh})
    assert TimeEntry.objects.count() == 2
