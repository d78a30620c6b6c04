"""Search that ignores case and accents (issue 18): each client's and contact's name as a
search compares it, in a column of its own, filled here for the rows that exist; the
trigram indexes of migration 0003 move from `UPPER(name)` to that column on PostgreSQL."""

from django.db import migrations, models

from clientreview.lib.text import fold

TABLES = [
    ("assessments_client", "client_name_trgm"),
    ("assessments_contact", "contact_name_trgm"),
]


def fill(apps, schema_editor):
    for model_name in ("Client", "Contact"):
        model = apps.get_model("assessments", model_name)
        rows = list(model.objects.only("pk", "name"))
        for row in rows:
            row.search_name = fold(row.name)
        model.objects.bulk_update(rows, ["search_name"], batch_size=1000)


def _index(schema_editor, expression: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin ({expression})")


def move_indexes(apps, schema_editor):
    _index(schema_editor, "search_name gin_trgm_ops")


def restore_indexes(apps, schema_editor):
    _index(schema_editor, "(UPPER(name::text)) gin_trgm_ops")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_reminders_feeds_and_form_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="search_name",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="contact",
            name="search_name",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(move_indexes, restore_indexes),
    ]
