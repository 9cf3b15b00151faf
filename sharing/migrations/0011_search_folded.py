"""Substring search through a stored folded text, and letter pairs of unspaced scripts
in the vectors (see sharing/common/textsearch.py).

``search_folded`` holds ``search_text`` in lower case without accents, folded once in
Python when a row is indexed (``textsearch.fold``), so that a substring match is a plain
``LIKE`` on both databases. Until now PostgreSQL folded each row's text again, with
``sharing_fold``, whenever its trigram index returned that row: two seconds for one pass
over 100,000 notices. The trigram indexes of 0008 (same names) now index the column.

The vectors gain the overlapping pairs of letters of Japanese, Chinese and Korean runs
(weight D), which narrow a substring search in those scripts, two-letter words included,
where trigrams cannot.

On PostgreSQL both tables also keep their rows narrow (``toast_tuple_target``, the
smallest allowed): bodies, texts and vectors move out of line to TOAST, where only what
reads them goes. A row of notice was 3.3 kB in the table itself, 30 MB for 100,000 once
narrowed instead of 320 MB, so the lists, counts and the search's heap visits read a
tenth of the pages.

Existing rows are brought up to date from their ``search_text``, which holds the same
words ``textsearch.index`` reads (title, entities and countries, body).
"""

from django.db import migrations, models
from django.db.models import TextField
from django.db.models.functions import Cast

from sharing.common import textsearch

TABLES = {"notice": "Notice", "practice": "BestPractice"}
BATCH = 2000


def _drop_index(kind: str) -> str:
    return f"DROP INDEX IF EXISTS {kind}_search_folded"


def _create_index(kind: str, table: str, expression: str) -> str:
    return f"CREATE INDEX {kind}_search_folded ON {table} USING gin ({expression} gin_trgm_ops)"


def _refresh(model, connection) -> None:
    if connection.vendor != "postgresql":
        rows = model.objects.order_by("pk").values_list("pk", "search_text")
        for batch in _batches(rows):
            model.objects.bulk_update(
                [model(pk=pk, search_folded=textsearch.fold(text)) for pk, text in batch],
                ["search_folded"],
            )
        return
    table = connection.ops.quote_name(model._meta.db_table)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    # Names from the model; values are parameters. The vector's words are folded as its
    # text form ('évalu':3A → 'evalu':3A): fold only maps letters to letters, so the
    # quoting stays whole.
    update = (
        f"UPDATE {table} SET search_folded = %s, "  # noqa: S608
        "search_vector = %s::tsvector || setweight(array_to_tsvector(%s::text[]), 'D') "
        f"WHERE {pk_column} = %s"
    )
    rows = (
        model.objects.order_by("pk")
        .annotate(words=Cast("search_vector", TextField()))
        .values_list("pk", "search_text", "words")
    )
    for batch in _batches(rows):
        with connection.cursor() as cursor:
            cursor.executemany(
                update,
                [
                    (
                        textsearch.fold(text),
                        textsearch.fold(words or ""),
                        textsearch.letter_pairs(text),
                        pk,
                    )
                    for pk, text, words in batch
                ],
            )


def _batches(rows):
    last = None
    while True:
        batch = list((rows.filter(pk__gt=last) if last is not None else rows)[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    for kind, name in TABLES.items():
        model = apps.get_model("sharing", name)
        table = model._meta.db_table
        if postgres:  # dropped first: the old index would be updated row by row for nothing
            schema_editor.execute(_drop_index(kind))
            # Before the refresh, whose UPDATE writes every row again, narrowed.
            schema_editor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 128)")
        _refresh(model, connection)
        if postgres:
            schema_editor.execute(_create_index(kind, table, "search_folded"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for kind, name in TABLES.items():
        table = apps.get_model("sharing", name)._meta.db_table
        schema_editor.execute(_drop_index(kind))
        schema_editor.execute(_create_index(kind, table, "UPPER(sharing_fold(search_text))"))
        schema_editor.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("sharing", "0010_denials_and_consultations")]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="search_folded",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="bestpractice",
            name="search_folded",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
