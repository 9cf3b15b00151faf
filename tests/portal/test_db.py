"""portal.db.planner: PostgreSQL's planner settings for one block, and only that block."""

import pytest
from django.db import connection, transaction

from portal.db import planner
from tests.conftest import require_or_skip

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        require_or_skip("planner settings are PostgreSQL's")


def setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def test_the_settings_hold_inside_the_block_and_are_set_back_after_it():
    before = (setting("join_collapse_limit"), setting("enable_seqscan"))
    assert before != ("1", "off")
    with planner(join_collapse_limit="1", enable_seqscan="off"):
        assert (setting("join_collapse_limit"), setting("enable_seqscan")) == ("1", "off")
    # The test runs inside a transaction: the block sets them back itself.
    assert (setting("join_collapse_limit"), setting("enable_seqscan")) == before


def test_an_error_in_the_block_leaves_the_settings_as_they_were():
    before = setting("from_collapse_limit")
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), planner(from_collapse_limit="1"):
            assert setting("from_collapse_limit") == "1"
            1 / 0  # noqa: B018
        assert setting("from_collapse_limit") == before
