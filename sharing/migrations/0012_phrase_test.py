"""``sharing_phrase_test(vector, query)``: ``vector @@ query``, for a search's phrases
(see sharing.common.textsearch._phrase_window), as a function that PostgreSQL knows to be dear.

The built-in ``@@`` is costed as nearly free, though for a phrase it reads each row's
vector from TOAST (a second over the 37,000 rows holding two common words at 100,000
notices). Told that the test is dear, PostgreSQL applies it only to the few rows the
search hands it, looked up by key, instead of to every row of the table first. PL/pgSQL,
so that it is not inlined back into the plain operator. SQLite gets nothing: the
embedded mode has no vectors.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION sharing_phrase_test(tsvector, tsquery) RETURNS boolean "
        "LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT COST 10000 "
        "AS $$ BEGIN RETURN $1 @@ $2; END $$"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS sharing_phrase_test(tsvector, tsquery)")


class Migration(migrations.Migration):
    dependencies = [("sharing", "0011_search_folded")]

    operations = [migrations.RunPython(forwards, backwards)]
