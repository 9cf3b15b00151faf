"""The many-to-many tables read from their other side have an index that starts there
(sharing/migrations/0027; docs/architecture.md, "Performance")."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("sharing.migrations.0027_through_tables_by_the_other_side")


@pytest.mark.parametrize(("model", "field", "name"), MIGRATION.INDEXES)
def test_the_table_has_an_index_from_its_other_side(model, field, name):
    relation = apps.get_model("sharing", model)._meta.get_field(field)
    table = relation.remote_field.through._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert name in constraints, sorted(constraints)
    index = constraints[name]
    assert index["index"] and not index["unique"]
    assert index["columns"] == [relation.m2m_reverse_name(), relation.m2m_column_name()]
