"""Moments in time as the portal receives them, before they reach the database."""

import datetime


def within_utc_range(moment: datetime.datetime) -> bool:
    """Whether UTC can hold ``moment`` (9999-12-31 at UTC-23:00 cannot): one beyond
    it would overflow on its way to the database."""
    try:
        if moment.tzinfo is not None:
            moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        return False
    return True
