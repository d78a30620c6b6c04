"""Search ignores case and accents, on SQLite as on PostgreSQL, and keeps each script.

Names as the six languages write them, typed as people type them: lower case, without
accents, on a keyboard without the letter.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Client
from assessments.queries.clients import find_clients
from clientreview.lib.text import fold
from tests import factories

pytestmark = pytest.mark.django_db

# (a client's name, a contact's name, what someone types, found by the client's name?)
NAMES = [
    ("Ελένη Παπαδοπούλου Α.Ε.", "Νίκος Δημητρίου", "ελένη", True),
    ("Ελένη Παπαδοπούλου Α.Ε.", "Νίκος Δημητρίου", "ελενη", True),
    ("Ελένη Παπαδοπούλου Α.Ε.", "Νίκος Δημητρίου", "ΠΑΠΑΔΟΠΟΥΛΟΥ", True),
    ("Ольга Смирнова ИП", "Пётр Иванов", "ольга", True),
    ("Ольга Смирнова ИП", "Пётр Иванов", "петр", False),  # ё typed as е, a contact
    ("Đurđa Kovačević d.o.o.", "Ivana Horvat", "durda", True),
    ("Đurđa Kovačević d.o.o.", "Ivana Horvat", "kovacevic", True),
    ("Þórður Guðmundsson ehf.", "Sigríður Jónsdóttir", "thordur", True),
    ("Þórður Guðmundsson ehf.", "Sigríður Jónsdóttir", "gudmundsson", True),
    ("Þórður Guðmundsson ehf.", "Sigríður Jónsdóttir", "sigridur", False),
    ("김민수 디자인", "이서연", "김민수", True),
    ("김민수 디자인", "이서연", "서연", False),
    ("Müller & Söhne GmbH", "Zoë Brontë", "muller", True),
    ("Müller & Söhne GmbH", "Zoë Brontë", "zoe", False),
]


@pytest.mark.parametrize("name,contact,typed,by_name", NAMES)
def test_a_name_is_found_whatever_its_case_and_accents(name, contact, typed, by_name):
    business = factories.business()
    client = factories.client(business, name=name)
    factories.contact(client, name=contact)
    factories.client(business, name="Other Co")
    assert [c.pk for c in find_clients(business, typed, 10)] == [client.pk]
    listed = Client.objects.for_business(business).filter(search_name__contains=fold(typed))
    assert list(listed.values_list("pk", flat=True)) == ([client.pk] if by_name else [])


def test_a_korean_syllable_is_not_matched_by_a_part_of_it():
    # "기" is the start of "김" when decomposed; recomposed, they stay different syllables.
    business = factories.business()
    factories.client(business, name="김민수 디자인")
    assert list(find_clients(business, "기", 10)) == []


def test_another_business_is_never_found():
    mine, theirs = factories.business(), factories.business()
    factories.client(theirs, name="Ελένη Α.Ε.")
    assert list(find_clients(mine, "ελενη", 10)) == []


def test_a_renamed_client_is_found_by_its_new_name_only(business):
    client = factories.client(business, name="Ольга")
    client.name = "Đurđa"
    client.save(update_fields=["name"])
    assert [c.pk for c in find_clients(business, "durda", 10)] == [client.pk]
    assert list(find_clients(business, "ольга", 10)) == []


def test_bulk_created_clients_are_searchable(business):
    Client.objects.bulk_create([Client(business=business, name="Ελένη Bulk")])
    assert [c.name for c in find_clients(business, "ελενη", 10)] == ["Ελένη Bulk"]


def test_the_client_list_search_folds_too(owner_client, business):
    factories.client(business, name="Đurđa Kovačević d.o.o.")
    factories.client(business, name="Other Co")
    listed = owner_client.get(reverse("assessments:client_list"), {"q": "DURDA"})
    assert listed.status_code == 200
    assert "Đurđa Kovačević" in listed.text and "Other Co" not in listed.text
