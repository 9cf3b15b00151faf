# The vector's GIN index of each searchable kind also holds the publication date
# (btree_gin), so that search finds a common word's newest matches among the newest rows
# from the index alone (sharing.common.textsearch._recent_first; docs/architecture.md,
# "Search"). A GIN index of two columns answers a test of the vector alone as well as
# the one-column index did, which it replaces under the same name.
#
# Built CONCURRENTLY, outside a transaction: dropping the old index in the migration's
# transaction would lock the notices and the best practices against every reader until
# the new one was built (a minute at 100,000 notices). The new index is built under a
# name of its own, the old one dropped, and the new one renamed.
#
# btree_gin ships with PostgreSQL, like pg_trgm (migration 0005), and is a trusted
# extension: a superuser or a role with CREATE on the database may create it. SQLite,
# the embedded mode, has no vector and no index here.

from django.db import migrations

TABLES = {"notice": "sharing_notice", "practice": "sharing_bestpractice"}


def _rebuild(schema_editor, columns: str) -> None:
    quote = schema_editor.quote_name
    for name, table in TABLES.items():
        index, fresh = quote(f"{name}_search_vector"), quote(f"{name}_search_vector_new")
        # An earlier attempt that was interrupted leaves an invalid index behind.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {fresh}")
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY {fresh} ON {quote(table)} USING gin ({columns})"
        )
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index}")
        schema_editor.execute(f"ALTER INDEX {fresh} RENAME TO {index}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        _rebuild(schema_editor, "search_vector, published_at")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, "search_vector")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("sharing", "0027_through_tables_by_the_other_side")]

    operations = [migrations.RunPython(forwards, backwards)]
