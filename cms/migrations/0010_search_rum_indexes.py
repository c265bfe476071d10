"""PostgreSQL with the RUM extension: indexes that hand search its candidates newest first, without visiting
every match (cms.search, `_postgres_ranking_classes`).

A GIN index finds the matches but not in any order, so picking the newest 200 of 6,000 matches for 胡柚 at
100,000 products meant fetching and sorting all 6,000 (26 ms). A RUM index keeps an "addon" value beside each
posting and can walk the matches in its order, stopping after LIMIT rows (1.4 ms). RUM wants plain columns, so
three generated columns are added to Wagtail's index table: the name units (`ts_filter(body, '{a,b}')`, what
`NameMatch` matches), the whole vector (`title || body`, what Wagtail matches) and the object id as a number.

Only where the extension is installed (Debian: postgresql-15-rum; `make bench`, `.ci/run` and `make test`
install it). Elsewhere — SQLite, or a PostgreSQL without rum — nothing is done and search keeps the GIN path;
after installing rum later, run `manage.py migrate cms 0009` and `migrate` again to add the indexes.
"""

from django.db import migrations

TABLE = "wagtailsearch_indexentry"
NAMES_INDEX = "cms_search_names_rum"
VECTOR_INDEX = "cms_search_vector_rum"


def rum_available(connection):
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        return cursor.fetchone() is not None


def create(apps, schema_editor):
    if not rum_available(schema_editor.connection):
        return
    for statement in (
        "CREATE EXTENSION IF NOT EXISTS rum",
        f"""ALTER TABLE {TABLE}
            ADD COLUMN IF NOT EXISTS cms_names tsvector GENERATED ALWAYS AS (ts_filter(body, '{{a,b}}')) STORED,
            ADD COLUMN IF NOT EXISTS cms_vector tsvector GENERATED ALWAYS AS (title || body) STORED,
            ADD COLUMN IF NOT EXISTS cms_newest bigint GENERATED ALWAYS AS (
                CASE WHEN object_id ~ '^[0-9]{{1,15}}$' THEN object_id::bigint END) STORED""",
        f"""CREATE INDEX IF NOT EXISTS {NAMES_INDEX} ON {TABLE}
            USING rum (cms_names rum_tsvector_addon_ops, cms_newest) WITH (attach = 'cms_newest', to = 'cms_names')""",
        f"""CREATE INDEX IF NOT EXISTS {VECTOR_INDEX} ON {TABLE}
            USING rum (cms_vector rum_tsvector_addon_ops, cms_newest) WITH (attach = 'cms_newest', to = 'cms_vector')""",
    ):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAMES_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {VECTOR_INDEX}")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS cms_names, DROP COLUMN IF EXISTS cms_vector, "
        "DROP COLUMN IF EXISTS cms_newest"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0009_private_image_renditions"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
