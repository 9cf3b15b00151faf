"""Indexes for full-text and substring search on PostgreSQL (see sharing/common/textsearch.py).

pg_trgm ships with PostgreSQL; creating the extension needs a role allowed to (a
superuser, or the database owner on PostgreSQL 13 and later for this trusted
extension). The trigram indexes are on UPPER(search_text) because Django writes
case-insensitive matching as UPPER(column) LIKE UPPER(pattern). SQLite, the embedded
mode, gets none of this and searches by scanning.
"""

from django.db import migrations

TABLES = {"notice": "sharing_notice", "practice": "sharing_bestpractice"}

UP = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    statement
    for name, table in TABLES.items()
    for statement in (
        f"CREATE INDEX IF NOT EXISTS {name}_search_vector ON {table} USING gin (search_vector)",
        f"CREATE INDEX IF NOT EXISTS {name}_search_trigram ON {table} "
        "USING gin (UPPER(search_text) gin_trgm_ops)",
    )
]
DOWN = [
    f"DROP INDEX IF EXISTS {name}_{kind}"
    for name in TABLES
    for kind in ("search_vector", "search_trigram")
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0004_seed_topics")]

    operations = [migrations.RunPython(forwards, backwards)]
