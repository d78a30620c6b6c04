"""Trigram indexes for "name contains" searches on PostgreSQL (issue 6).

Finding a client by part of its name, or a contact's, is `UPPER(name) LIKE UPPER('%…%')`
(Django's `icontains`): without an index that reads every client and contact of the
business. `pg_trgm` is a trusted extension since PostgreSQL 13, so the database's owner
can create it. Other databases (SQLite in development) are left as they are.
"""

from django.db import migrations

INDEXES = [
    ("assessments_client", "client_name_trgm"),
    ("assessments_contact", "contact_name_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, index in INDEXES:
        # The expression Django's icontains compares: UPPER("name"::text).
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} "
            "USING gin ((UPPER(name::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_invoice_revenue_covering_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
