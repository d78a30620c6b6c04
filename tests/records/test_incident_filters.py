"""Incident list filters: each one, together, kept in the address, and bad input never a 500."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.services.evidence import add_evidence
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("assessments:incident_list")


def at(days_ago: int) -> datetime:
    return timezone.now() - timedelta(days=days_ago)


@pytest.fixture
def log(business, owner, staff):
    """A small, realistic log: who, what, when and whether a file came with it."""
    acme = factories.client(business, name="Acme Ltd")
    other = factories.client(business, name="Bolt Couriers")
    ivan = factories.contact(acme, name="Ivan Petrov")
    maria = factories.contact(acme, name="Maria Lopez")
    rows = {
        "shouted": factories.incident(
            acme,
            by=staff,
            contact=ivan,
            category="verbal_abuse",
            severity="high",
            occurred_at=at(2),
            description="Shouted at Stan on the phone.",
        ),
        "scope": factories.incident(
            acme,
            by=owner,
            contact=maria,
            category="out_of_scope",
            severity="medium",
            occurred_at=at(20),
            description="Asked for three extra pages for free.",
        ),
        "late": factories.incident(
            other,
            by=owner,
            category="complaint",
            severity="low",
            occurred_at=at(60),
            description="Complained the invoice was late.",
        ),
    }
    add_evidence(
        rows["shouted"],
        SimpleUploadedFile("call-notes.txt", b"Notes of the call.\n", "text/plain"),
        uploaded_by=staff,
    )
    return {"acme": acme, "other": other, "ivan": ivan, "owner": owner, "staff": staff, **rows}


def listed(response) -> set[str]:
    return {i.description for i in response.context["page"].object_list}


def test_personas(anon_client, staff_client, outsider_client, log):
    assert anon_client.get(URL).status_code == 302
    assert len(listed(staff_client.get(URL))) == 3
    # A's client id in B's list is an error, not A's incidents.
    response = outsider_client.get(URL, {"client": log["acme"].pk})
    assert "could not be used" in response.content.decode() and listed(response) == set()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda w: {"client": w["acme"].pk}, {"shouted", "scope"}),
        (lambda w: {"client": w["acme"].pk, "contact": w["ivan"].pk}, {"shouted"}),
        (lambda w: {"category": "out_of_scope"}, {"scope"}),
        (lambda w: {"severity": "low"}, {"late"}),
        (
            lambda w: {"date_from": (timezone.localdate() - timedelta(days=30)).isoformat()},
            {"shouted", "scope"},
        ),
        (
            lambda w: {"date_to": (timezone.localdate() - timedelta(days=10)).isoformat()},
            {"scope", "late"},
        ),
        (lambda w: {"recorded_by": w["staff"].pk}, {"shouted"}),
        (lambda w: {"evidence": "yes"}, {"shouted"}),
        (lambda w: {"evidence": "no"}, {"scope", "late"}),
        (
            lambda w: {"client": w["acme"].pk, "recorded_by": w["owner"].pk, "evidence": "no"},
            {"scope"},
        ),
    ],
)
def test_each_filter(owner_client, log, query, expected):
    response = owner_client.get(URL, query(log))
    assert response.status_code == 200
    assert listed(response) == {log[name].description for name in expected}


def test_the_filtered_address_is_kept_on_the_next_page(owner_client, log, business, staff):
    for n in range(30):
        factories.incident(log["acme"], by=staff, severity="high", occurred_at=at(3 + n / 100))
    page = owner_client.get(URL, {"severity": "high"}).content.decode()
    assert "?severity=high&amp;page=2" in page


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "31/31/2025"},
        {"date_from": "2025-05-01", "date_to": "2025-04-01"},
        {"severity": "apocalyptic"},
        {"recorded_by": "abc"},
        {"client": "99999999999999999999"},
        {"contact": "1' OR 1=1"},
        {"evidence": "maybe"},
    ],
)
def test_bad_input_shows_an_error_not_a_500(owner_client, log, query):
    response = owner_client.get(URL, query)
    assert response.status_code == 200
    assert "could not be used" in response.content.decode()
    assert len(listed(response)) == 3


def test_a_contact_of_another_client_is_refused(owner_client, log):
    other_contact = factories.contact(log["other"], name="Olaf")
    response = owner_client.get(URL, {"client": log["acme"].pk, "contact": other_contact.pk})
    assert "could not be used" in response.content.decode()
    assert len(listed(response)) == 3
