"""A recognition's life: its dates set when it becomes current, the recognition it renews
closed, the daily moves (expiring soon, expired), the reminders before its end.

Reminders are queued through the outbox under a key per recognition, end date and point
(e.g. 90 days before): the key is unique in the database, so a reminder is queued once
even when two runs of the command overlap (the loser's insert is rolled back alone).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.operations import focal_points_of
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..nominations.models import Nomination
from ..notifications.operations import absolute_url, in_locale, queue
from ..workflow.engine import WorkflowError, fire, transition_fired
from ..workflow.registry import has_tag, tagged
from .dates import days_left, timezone_of, today_for, validity


def start_lifetime(nomination: Nomination) -> None:
    """A recognition becomes current: it holds from the city's today for the programme's
    years (set once)."""
    if nomination.valid_from is None:
        years = nomination.programme.lifetime.years
        # Reading the city must not flush the transition's half-made change (a second
        # version bump).
        with db.session.no_autoflush:
            start = today_for(nomination)
        nomination.valid_from, nomination.valid_until = validity(start, years)


def close_renewed(nomination: Nomination, actor) -> None:
    """A renewal became current: the recognition it renews is closed as renewed."""
    if nomination.renews_id is None:
        return
    previous = db.session.get(Nomination, nomination.renews_id)
    try:
        with db.session.begin_nested():
            fire(previous, "renew", actor, "The renewal is announced.")
    except WorkflowError:
        pass  # closed already (renewed by another, or revoked), or never a recognition


def _on_transition(obj, definition, transition, event, actor) -> None:
    """Engine signal: a renewal that has just become current closes what it renews."""
    if not isinstance(obj, Nomination) or obj.renews_id is None or not has_tag(obj, "current"):
        return
    source = definition.states.get(event.from_state)
    if source is None or "current" not in source.tags:
        close_renewed(obj, actor)


def connect() -> None:
    transition_fired.connect(_on_transition, weak=False)


# -- the daily moves ----------------------------------------------------------------------------


def _current_with_end() -> Iterator[Nomination]:
    yield from db.session.scalars(
        sa.select(Nomination)
        .where(tagged(Nomination, "current"), Nomination.valid_until.is_not(None))
        .order_by(Nomination.valid_until, Nomination.id)
    )


@dataclass
class Moves:
    expiring: int = 0
    expired: int = 0


def move_on() -> Moves:
    """Fire what the dates allow: expired recognitions end, those near their end are marked
    expiring. Each in its own savepoint; the rules judge (a run a day late changes nothing
    but the day it happens)."""
    moves = Moves()
    for nomination in list(_current_with_end()):
        for name in ("expire", "expire_soon"):
            try:
                with db.session.begin_nested():
                    fire(nomination, name, None)
            except WorkflowError:
                continue
            if name == "expire":
                moves.expired += 1
            else:
                moves.expiring += 1
            break
    return moves


# -- reminders ------------------------------------------------------------------------------------


def recipients(nomination: Nomination) -> list[User]:
    """Who is reminded: the city's focal points, else whoever started the nomination."""
    if nomination.city is not None:
        return focal_points_of(nomination.city)
    return [nomination.created_by] if nomination.created_by else []


def point_due(nomination: Nomination) -> int | None:
    """The reminder point due now: the nearest one the days left have reached (at 20 days
    left with points 180, 90, 30: the 30-day one); None before the first or after the end."""
    left = days_left(nomination)
    points = nomination.programme.lifetime.remind_days_before
    if left is None or left < 0 or not points:
        return None
    reached = [p for p in points if left <= p]
    return min(reached) if reached else None


def queue_expiry_reminders() -> int:
    """Queue each due reminder once; return how many were queued by this run."""
    queued = 0
    for nomination in list(_current_with_end()):
        point = point_due(nomination)
        if point is None:
            continue
        for user in recipients(nomination):
            key = f"expiry:{nomination.id}:{nomination.valid_until.isoformat()}:{point}:{user.id}"
            try:
                with db.session.begin_nested():
                    message = queue(
                        user,
                        "expiry_reminder",
                        in_locale(user, _l("Your recognition ends soon")),
                        link=absolute_url("nominations.show", nomination_id=nomination.id),
                        dedupe_key=key,
                        nomination=nomination,
                        days=days_left(nomination),
                        valid_until=nomination.valid_until,
                        timezone=timezone_of(nomination),
                    )
            except IntegrityError:  # another run queued it meanwhile
                continue
            if message is not None:
                queued += 1
    return queued
