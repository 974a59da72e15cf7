"""Dates of a recognition, in the city's calendar."""

from __future__ import annotations

from datetime import date, timedelta

from ..nominations.models import Nomination
from ..timeutil import today_in

#: Days before the end a recognition counts as expiring when its programme names no
#: reminders.
EXPIRING_DAYS = 90


def timezone_of(nomination: Nomination) -> str:
    """The zone whose calendar the recognition lives by: its city's (UTC for a nominee that
    is not a city)."""
    city = nomination.city
    return city.timezone if city is not None and city.timezone else "UTC"


def today_for(nomination: Nomination) -> date:
    return today_in(timezone_of(nomination))


def add_years(start: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February that has none)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def validity(start: date, years: int | None) -> tuple[date, date | None]:
    """From the announcement's day to the last day the recognition holds: three years from
    2027-03-15 hold until 2030-03-14."""
    if years is None:
        return start, None
    return start, add_years(start, years) - timedelta(days=1)


def days_left(nomination: Nomination, today: date | None = None) -> int | None:
    """Days from today to the last valid day (0 on that day; negative once expired)."""
    if nomination.valid_until is None:
        return None
    return (nomination.valid_until - (today or today_for(nomination))).days


def expiring_window(nomination: Nomination) -> int:
    """How many days before its end a recognition counts as expiring: its programme's first
    reminder, or EXPIRING_DAYS."""
    points = nomination.programme.lifetime.remind_days_before
    return max(points) if points else EXPIRING_DAYS
