"""Named worklist filters of annual reports (a worklist's ``filter:`` in annual_report.yaml)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa

from ..accounts.models import City
from ..nominations.models import Nomination
from ..timeutil import today_in, utcnow
from ..web import warming
from ..workflow.worklists import worklist_filter
from .models import AnnualReport


@lru_cache(maxsize=1)
def _zones() -> tuple[ZoneInfo, ...]:
    """Every time zone this machine knows (read from the disk once per process)."""
    return tuple(ZoneInfo(zone) for zone in sorted(available_timezones()))


@lru_cache(maxsize=4)
def _dates_at(quarter: datetime) -> dict[str, date]:
    """Each time zone's date at ``quarter`` (naive UTC, on a quarter hour).

    Every zone's midnight falls on a quarter hour of UTC (offsets are multiples of 15
    minutes), so these dates hold for the whole quarter hour: computed once per quarter.
    """
    moment = quarter.replace(tzinfo=UTC)
    return {zone.key: moment.astimezone(zone).date() for zone in _zones()}


def _quarter_now() -> datetime:
    """Now (naive UTC), down to its quarter hour."""
    now = utcnow()
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)


@warming
def _dates_now() -> dict[str, date]:
    """Each time zone's date now: what the overdue filter reads first in each worker."""
    return _dates_at(_quarter_now())


def _zones_on(day: date) -> list[str]:
    """The time zones whose date is ``day`` now."""
    return sorted(zone for zone, today in _dates_now().items() if today == day)


def past_due(model: type = AnnualReport) -> Any:
    """SQL condition: the report's due date has passed in its city's calendar.

    Whatever its zone, a city's today is UTC's today, the day before or the day after: a
    report due before yesterday (UTC) is late everywhere, one due tomorrow nowhere; in
    between, the zones that are a day behind or ahead (computed here, from the clock) decide.
    One condition, no query of its own: a worklist still costs one query.
    """
    utc_today = today_in("UTC")
    yesterday, tomorrow = utc_today - timedelta(days=1), utc_today + timedelta(days=1)
    zone = (
        sa.select(City.timezone)
        .join(Nomination, Nomination.city_id == City.id)
        .where(Nomination.id == model.nomination_id)
        .scalar_subquery()
    )
    return sa.or_(
        model.due_on < yesterday,
        # Due yesterday (UTC): late unless the city is still on that day.
        sa.and_(model.due_on == yesterday, zone.not_in(_zones_on(yesterday))),
        # Due today (UTC): late only where tomorrow has begun.
        sa.and_(model.due_on == utc_today, zone.in_(_zones_on(tomorrow))),
    )


@worklist_filter("annual_report_overdue")
def annual_report_overdue(stmt: Any, model: type, user: Any) -> Any:
    """Keep the reports whose due date has passed in the city's calendar."""
    return stmt.where(past_due(model))
