"""On PostgreSQL, "name contains" searches have trigram indexes (migrations 0003, 0012)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Business
from assessments.models import Client
from assessments.queries.clients import find_clients
from tests import factories

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes are a PostgreSQL feature"
)


@postgres_only
def test_the_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('client_name_trgm', 'contact_name_trgm') ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == ["client_name_trgm", "contact_name_trgm"]


@postgres_only
def test_a_name_search_can_use_its_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: force the choice
        sql, params = Client.objects.filter(search_name__contains="bakery").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "client_name_trgm" in plan, plan


@postgres_only
def test_the_incident_forms_client_search_can_use_both_indexes():
    business: Business = factories.business()
    with connection.cursor() as cursor:
        # A test's tables are tiny, so PostgreSQL would rather read them whole or through
        # the business's own indexes. Take those away (this transaction is rolled back) to
        # see that the name conditions, as written, are ones the trigram indexes serve.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN "
            "('assessments_client', 'assessments_contact') AND indexdef LIKE '%(business_id%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # nor walk another index in order
        sql, params = find_clients(business, "bakery", 21).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "client_name_trgm" in plan and "contact_name_trgm" in plan, plan


def test_find_clients_by_name_or_contact_names_first_match_first():
    business: Business = factories.business()
    bakery = factories.client(business, name="Bakery Hill")
    corner = factories.client(business, name="Corner Bakery")
    other = factories.client(business, name="Other Co")
    factories.contact(other, name="Ann Bakery-Smith")
    factories.contact(bakery, name="Ann Bakery")  # a second route to the same client
    found = find_clients(business, "bakery", 10)
    assert [c.pk for c in found] == [bakery.pk, corner.pk, other.pk]
    assert [c.name for c in found] == ["Bakery Hill", "Corner Bakery", "Other Co"]
    assert [c.pk for c in find_clients(business, "bakery", 2)] == [bakery.pk, corner.pk]
    other.status = Client.Status.OFFBOARDING
    other.save(update_fields=["status"])
    (row,) = find_clients(business, "other", 10)
    assert (row.status, row.get_status_display()) == ("offboarding", "Offboarding")


def test_find_clients_takes_wildcards_and_backslashes_as_text():
    business: Business = factories.business()
    for name in ["A_B Ltd", "AxB Ltd", "50% Off", "500 Off", "Back\\Slash", "Other"]:
        factories.client(business, name=name)
    assert [c.name for c in find_clients(business, "a_b", 10)] == ["A_B Ltd"]
    assert [c.name for c in find_clients(business, "50%", 10)] == ["50% Off"]
    assert [c.name for c in find_clients(business, "k\\s", 10)] == ["Back\\Slash"]
    assert list(find_clients(business, "'; DROP TABLE x; --", 10)) == []


def test_find_clients_never_looks_in_another_business():
    mine, theirs = factories.business(), factories.business()
    factories.contact(factories.client(theirs, name="Bakery Rival"), name="Bakery Person")
    factories.contact(factories.client(mine, name="Corner Shop"), name="Other Person")
    assert list(find_clients(mine, "bakery", 10)) == []
    assert [c.name for c in find_clients(theirs, "bakery", 10)] == ["Bakery Rival"]
