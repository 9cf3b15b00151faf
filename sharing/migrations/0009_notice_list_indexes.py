"""Indexes for the notice list at scale (PostgreSQL; measured by bench/run.py, issue 7).

- ``notice_list_order``: the list's order (drafts first, then newest publications, then
  ``created_at`` and ``id``, the model's Meta ordering). PostgreSQL walks it and stops at
  the page's 25 visible rows, instead of sorting every visible notice (at 100,000
  notices: 10 ms instead of 250 ms).
- ``notice_visibility``: every column ``visible_to`` reads (status, audience, author
  state, id), so the paginator's COUNT is an index-only scan rather than a read of the
  whole table, bodies and all (30 ms instead of 200 ms).

Kept out of the model's Meta: an expression-ordered index with NULLS FIRST is written
here once, in SQL, for PostgreSQL only; SQLite (the embedded mode) has too few rows to
care.
"""

from django.db import migrations

INDEXES = {
    "notice_list_order": "(published_at DESC NULLS FIRST, created_at DESC, id)",
    "notice_visibility": "(status, audience, author_state_id, id)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON sharing_notice {columns}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("sharing", "0008_search_accent_folding")]

    operations = [migrations.RunPython(forwards, backwards)]
