"""On PostgreSQL, "name contains" searches have trigram indexes (migration 0003)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Business
from assessments.models import Client
from assessments.views.client_queries import find_clients
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
        sql, params = Client.objects.filter(name__icontains="bakery").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "client_name_trgm" in plan, plan


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
