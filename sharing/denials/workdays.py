"""Working days in a state's own calendar: weekends and that state's public holidays
(from the ``holidays`` package, which follows each country's law, rather than a list of
our own) do not count, and a day is a day where the state's authority sits.

A consultation asked of a state on one of its days is due on the Nth working day after
that day, and is overdue once that day has ended where the state is.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=512)
def _holidays(code: str, year: int) -> frozenset[datetime.date]:
    try:
        calendar = holidays.country_holidays(code, years=year)
    except NotImplementedError:  # a country the package does not know: weekends only
        return frozenset()
    return frozenset(calendar)


def is_working_day(day: datetime.date, code: str) -> bool:
    """Monday to Friday, and not a public holiday of state ``code``."""
    return day.weekday() < 5 and day not in _holidays(code, day.year)


def add_working_days(start: datetime.date, count: int, code: str) -> datetime.date:
    """The ``count``-th working day of state ``code`` after ``start`` (``start`` itself
    never counts, whether or not it is a working day)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    while count:
        day += datetime.timedelta(days=1)
        if is_working_day(day, code):
            count -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, code: str) -> int:
    """How many working days of ``code`` come after ``start`` up to and including
    ``end`` (0 when ``end`` is not after ``start``)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day, code)
    return count


def local_date(moment: datetime.datetime, state) -> datetime.date:
    """The date it is at ``moment`` where ``state``'s authority sits."""
    return moment.astimezone(state.zone).date()


def due_date(opened_at: datetime.datetime, working_days: int, state) -> datetime.date:
    """When an answer asked of ``state`` at ``opened_at`` is due."""
    return add_working_days(local_date(opened_at, state), working_days, state.code)
