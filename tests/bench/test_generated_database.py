"""generate_bench_data outside a transaction, as `make bench` runs it: the database it
leaves is in the state of one in service. A module of its own: the data set of
tests/bench/test_generate_bench_data.py is made inside a transaction that stays open
for the whole of that module."""

import pytest
from django.db import connection

from sharing.common.models import Event
from sharing.notices.models import Acknowledgement, Notice
from sharing.notifications.models import Notification
from tests.bench.test_generate_bench_data import generate

pytestmark = pytest.mark.slow  # a data set of its own, committed


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_every_table_written_is_vacuumed(seeded_states):
    """A database in service has had autovacuum over every table: its visibility map
    lets PostgreSQL answer from an index alone (the rule's many-to-many tables, the
    inbox). The data set leaves every table it wrote in that state, not only the two
    largest, or the benchmarks would measure heap fetches no portal in service makes."""
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM and the visibility map are PostgreSQL's")
    generate(seed=11)
    tables = [
        Notice._meta.db_table,
        Notice.recipient_states.through._meta.db_table,
        Notice.categories.through._meta.db_table,
        Acknowledgement._meta.db_table,
        Notification._meta.db_table,
        Event._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relallvisible = 0",
            [tables],
        )
        assert cursor.fetchall() == []
