"""Rules of the decisions that programmes name (programmes/*.yaml ``rules.recognise``).

Each returns None when it holds, or the reason it does not. The decision's data (areas of
strength, award level) is what the officer chose, completed by the operation's ``prepare``.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext
from ..nominations.models import Nomination
from ..workflow.guards import guard
from ..workflow.registry import tagged


@guard(
    "areas_of_strength",
    _l("the decision names at least %(minimum)d areas of strength"),
    params={"minimum": int},
)
def enough_areas_of_strength(nomination, actor, data, minimum: int):
    """A Role Model City is recognised in its areas of strength: at least ``minimum``."""
    named = len(data.get("areas") or ())
    if named >= minimum:
        return None
    return lazy_ngettext(
        "A recognition names at least %(num)d area of strength; %(named)d named.",
        "A recognition names at least %(num)d areas of strength; %(named)d named.",
        minimum,
        named=named,
    )


@guard("award_level_chosen", _l("the decision names the level of the award"))
def award_level_chosen(nomination, actor, data):
    """The decision names one of the programme's levels."""
    if nomination.programme.level(data.get("level") or "") is None:
        return _l("Choose the level of the award.")
    return None


def awarded(call_id: int, level: str, excluding: int | None = None) -> int:
    """How many nominations of the call hold (or are decided to receive) the level."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(Nomination)
        .where(
            Nomination.call_id == call_id,
            Nomination.award_level == level,
            tagged(Nomination, "recognition"),
        )
    )
    if excluding is not None:
        stmt = stmt.where(Nomination.id != excluding)
    return db.session.scalar(stmt) or 0


@guard(
    "award_quota",
    _l("the call has not yet awarded the level as often as it may"),
    # Concurrent decisions on one call count one after the other: the call's row is locked
    # before counting, until the deciding transaction ends.
    locks=lambda nomination: nomination.call,
)
def award_quota(nomination, actor, data):
    """At most the call's quota of nominations receive each award level."""
    level = nomination.programme.level(data.get("level") or "")
    if level is None:
        return None  # award_level_chosen says so
    limit = nomination.call.quota(level.id)
    if limit is None or awarded(nomination.call_id, level.id, nomination.id) < limit:
        return None
    return lazy_ngettext(
        "This call already awards “%(level)s” %(num)d time, as often as it may.",
        "This call already awards “%(level)s” %(num)d times, as often as it may.",
        limit,
        level=_l(level.title),
    )
