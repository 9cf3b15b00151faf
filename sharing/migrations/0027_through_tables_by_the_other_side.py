# The many-to-many tables the visibility rule and the lists' filters read from the
# other side: a notice's or denial's recipient states and a best practice's co-authors
# by state, a notice's categories and a best practice's topics by term
# (docs/architecture.md, "Performance"). Django gives each of these tables a unique index
# (owner, other) and a one-column index on each side; an index (other, owner) lets
# PostgreSQL answer "the notices that name Denmark" from the index alone, without a
# visit to the table for each of thousands of rows.
#
# Django's state does not know these indexes: the tables are made by Django for the
# many-to-many fields and take no Meta of ours.

from django.db import migrations

# (model, field, index name); the index is (the other side's column, the owner's column).
INDEXES = [
    ("Notice", "recipient_states", "notice_recipients_by_state"),
    ("Denial", "recipient_states", "denial_recipients_by_state"),
    ("BestPractice", "co_authors", "practice_co_authors_by_state"),
    ("Notice", "categories", "notice_categories_by_term"),
    ("BestPractice", "topics", "practice_topics_by_term"),
]


def _columns(apps, model: str, field: str) -> tuple[str, str, str]:
    relation = apps.get_model("sharing", model)._meta.get_field(field)
    through = relation.remote_field.through._meta
    return through.db_table, relation.m2m_reverse_name(), relation.m2m_column_name()


def create(apps, schema_editor):
    quote = schema_editor.quote_name
    for model, field, name in INDEXES:
        table, other, owner = _columns(apps, model, field)
        schema_editor.execute(
            f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(other)}, {quote(owner)})"
        )


def drop(apps, schema_editor):
    for _model, _field, name in INDEXES:
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0026_acknowledgement_first_time"),
    ]

    operations = [migrations.RunPython(create, drop)]
