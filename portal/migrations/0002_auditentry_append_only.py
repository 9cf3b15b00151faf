"""Make the audit log append-only in PostgreSQL too: UPDATE and DELETE of a row fail
whatever issues them (a shell, a stray script). TRUNCATE, which only an operator with
table rights can run, is not a row operation and is left alone. The embedded SQLite
mode relies on the model's own refusal (a trigger there would also stop the test
runner from emptying tables between tests)."""

from django.db import migrations

POSTGRES_UP = """
CREATE FUNCTION portal_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditentry_append_only
    BEFORE UPDATE OR DELETE ON portal_auditentry
    FOR EACH ROW EXECUTE FUNCTION portal_auditentry_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS portal_auditentry_append_only ON portal_auditentry;
DROP FUNCTION IF EXISTS portal_auditentry_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
