"""PostgreSQL's planner settings for one block of queries (docs/architecture.md,
"Performance")."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def planner(**settings: str) -> Iterator[None]:
    """Run the block with PostgreSQL's planner ``settings`` (name=value), for its
    transaction only: its end, or the savepoint's rollback on an error, undoes them;
    inside an outer transaction they are set back on the way out. Other databases have
    no such settings, and run the block as it is."""
    if connection.vendor != "postgresql":
        yield
        return
    names = list(settings)
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        # One round trip: the values before (read first, left to right), then the new.
        reads = ["current_setting(%s)"] * len(names)
        cursor.execute(
            f"SELECT {', '.join(reads + _SET * len(names))}",
            [*names, *(part for name in names for part in (name, settings[name]))],
        )
        before = cursor.fetchone()[: len(names)]
        yield
        if outer:
            cursor.execute(
                f"SELECT {', '.join(_SET * len(names))}",
                [part for pair in zip(names, before, strict=True) for part in pair],
            )


_SET = ["set_config(%s, %s, true)"]
