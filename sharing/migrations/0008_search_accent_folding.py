"""Accent-insensitive substring search on PostgreSQL (see sharing/common/textsearch.py).

``unaccent`` ships with PostgreSQL (a trusted extension from PostgreSQL 13, like
pg_trgm). Its function is only STABLE, because it reads a dictionary, so no index may
use it: ``sharing_fold(text)`` wraps it as IMMUTABLE with the dictionary named by schema,
which holds as long as the unaccent rules do not change (should an upgrade change them,
REINDEX the two indexes below). The trigram indexes on the folded text replace those of
0005 on the text as it is: every substring match now goes through the folded text.
SQLite, the embedded mode, gets none of this (sharing.search folds there with a pattern).
"""

from django.db import migrations

TABLES = {"notice": "sharing_notice", "practice": "sharing_bestpractice"}


def _trigram_indexes(kind: str, expression: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {name}_search_{kind} ON {table} "
        f"USING gin ({expression} gin_trgm_ops)"
        for name, table in TABLES.items()
    ]


def _drop_indexes(kind: str) -> list[str]:
    return [f"DROP INDEX IF EXISTS {name}_search_{kind}" for name in TABLES]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
        schema = schema_editor.quote_name(cursor.fetchone()[0])
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION sharing_fold(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        f"AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
    )
    for statement in [
        *_trigram_indexes("folded", "UPPER(sharing_fold(search_text))"),
        *_drop_indexes("trigram"),
    ]:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in [
        *_trigram_indexes("trigram", "UPPER(search_text)"),
        *_drop_indexes("folded"),
        "DROP FUNCTION IF EXISTS sharing_fold(text)",
    ]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0007_notification_retries")]

    operations = [migrations.RunPython(forwards, backwards)]
