"""PostgreSQL: a GIN index on `title || body` of Wagtail's search index.

Wagtail's PostgreSQL backend matches `(title || body) @@ query`, which its separate GIN indexes on title and
body cannot serve: without this index every search scans the whole index table (31 ms → 4.6 ms for 胡柚
at 10,000 products). Nothing to do on SQLite, which searches its own FTS5 table.
"""

from django.db import migrations

INDEX = "cms_search_title_body_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry USING gin ((title || body))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_api_token"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
