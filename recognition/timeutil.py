"""Time in one place: the database stores naive UTC; code compares aware UTC.

The clock can be set (``clock_at``): tests move time across a recognition's three years,
the demo can show a recognition about to expire. Everything that asks what time it is asks
``utcnow()`` or ``today_in()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The clock in use; None: the system's.
_clock: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form stored in the database."""
    if _clock is not None:
        return _clock()
    return datetime.now(UTC).replace(tzinfo=None)


def today_in(timezone: str | None) -> date:
    """Today's date in a time zone (an unknown zone counts as UTC)."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return utcnow().replace(tzinfo=UTC).astimezone(zone).date()


@contextmanager
def clock_at(moment: datetime | Callable[[], datetime]) -> Iterator[None]:
    """Make ``utcnow()`` answer ``moment`` (naive UTC, or a function giving it) in the block."""
    global _clock
    saved = _clock
    _clock = moment if callable(moment) else (lambda: moment)
    try:
        yield
    finally:
        _clock = saved
