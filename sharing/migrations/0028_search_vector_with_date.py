# The vector's GIN index of each searchable kind also holds the publication date
# (btree_gin), so that search finds a common word's newest matches among the newest rows
# from the index alone (sharing.common.textsearch._recent_first; docs/architecture.md,
# "Search"). A GIN index of two columns answers a test of the vector alone as well as
# the one-column index did, which it replaces under the same name.
#
# btree_gin ships with PostgreSQL, like pg_trgm (migration 0005): creating it needs the
# same rights (a superuser, or the database owner: it is a trusted extension). SQLite,
# the embedded mode, has no vector and no index here.

from django.db import migrations

TABLES = {"notice": "sharing_notice", "practice": "sharing_bestpractice"}


def _rebuild(schema_editor, columns: str) -> None:
    quote = schema_editor.quote_name
    for name, table in TABLES.items():
        index = quote(f"{name}_search_vector")
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"CREATE INDEX {index} ON {quote(table)} USING gin ({columns})")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        _rebuild(schema_editor, "search_vector, published_at")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, "search_vector")


class Migration(migrations.Migration):
    dependencies = [("sharing", "0027_through_tables_by_the_other_side")]

    operations = [migrations.RunPython(forwards, backwards)]
