"""Contacts: members add and edit them (staff meet them); the contact page shows flags."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import AbuseFlag, Contact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme")


def contact_data(**overrides):
    data = {"name": "Ольга Смирнова", "role": "Director", "email": "olga@example.test", "phone": ""}
    data.update(overrides)
    return data


def test_add_contact_personas(anon_client, outsider_client, staff_client, owner_client, acme):
    url = reverse("assessments:contact_create", args=[acme.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, contact_data()).status_code == 404
    assert not Contact.objects.exists()
    # Staff meet contacts: they may add them.
    response = staff_client.post(url, contact_data())
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.client, contact.business_id, contact.name) == (
        acme,
        acme.business_id,
        "Ольга Смирнова",
    )
    assert owner_client.post(url, contact_data(name="김민준")).status_code == 302
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"email": "not-an-email"},
        {"phone": "<script>alert(1)</script>"},
        {"phone": "1" * 41},
        {"role": "r" * 121},
        {"name": "a\x00b"},
    ],
)
def test_bad_contact_input_saves_nothing(owner_client, acme, overrides):
    url = reverse("assessments:contact_create", args=[acme.pk])
    response = owner_client.post(url, contact_data(**overrides))
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_edit_contact_personas(anon_client, outsider_client, staff_client, acme):
    contact = factories.contact(acme, name="Jane")
    url = reverse("assessments:contact_edit", args=[contact.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.post(url, contact_data(name="Stolen")).status_code == 404
    contact.refresh_from_db()
    assert contact.name == "Jane"
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, contact_data(name="Jane Doe")).status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Jane Doe"
    response = staff_client.post(url, contact_data(email="nope"))
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.email == "olga@example.test"


def test_contact_page_personas_and_content(
    anon_client, outsider_client, staff_client, owner_client, acme, staff, owner
):
    contact = factories.contact(acme, name="Viktor")
    incident = factories.incident(
        acme, contact=contact, category="verbal_abuse", description="Shouted at Stan."
    )
    factories.incident(acme, description="Unrelated to Viktor.")
    flag = AbuseFlag.objects.create(
        business=acme.business, contact=contact, reason="Shouts at staff.", raised_by=staff
    )
    flag.incidents.add(incident)
    AbuseFlag.objects.create(
        business=acme.business,
        contact=contact,
        reason="Old matter.",
        raised_by=staff,
        cleared_at=timezone.now(),
        cleared_by=owner,
        clear_reason="Apologised in writing.",
    )
    url = reverse("assessments:contact_detail", args=[contact.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    for member in (staff_client, owner_client):
        page = member.get(url).content.decode()
        assert "Shouted at Stan." in page
        assert "Unrelated to Viktor." not in page
        assert "Shouts at staff." in page  # the open flag's warning
        assert "Apologised in writing." in page  # the history keeps cleared flags
        assert reverse("assessments:flag_contact", args=[contact.pk]) in page


def test_contact_page_queries_do_not_grow(owner_client, acme, staff, django_assert_num_queries):
    contact = factories.contact(acme)
    url = reverse("assessments:contact_detail", args=[contact.pk])

    def add(n):
        for _ in range(n):
            incident = factories.incident(acme, contact=contact)
            flag = AbuseFlag.objects.create(
                business=acme.business, contact=contact, reason="r", raised_by=staff
            )
            flag.incidents.add(incident)

    add(1)
    owner_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert owner_client.get(url).status_code == 200
    add(30)
    with django_assert_num_queries(len(one)):
        assert owner_client.get(url).status_code == 200
