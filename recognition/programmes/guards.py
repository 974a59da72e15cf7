"""Predicates guarding the call workflow."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..workflow.guards import guard


@guard("call_dates_are_set", _l("the call has an opening and a closing date"))
def call_dates_are_set(call, actor, context) -> bool:
    """The call has dates in the right order."""
    return bool(call.opens_at and call.closes_at and call.opens_at < call.closes_at)


@guard("call_nominations_decided", _l("every nomination under review has a decision"))
def call_nominations_decided(call, actor, context) -> bool:
    """No nomination of the call is still waiting for screening, review or a decision."""
    from ..nominations.models import Nomination

    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Nomination)
        .where(
            Nomination.call_id == call.id,
            Nomination.state.in_(("submitted", "under_review", "shortlisted", "returned")),
        )
    )
    return not pending


@guard("call_announcement_written", _l("the announcement text is written"))
def call_announcement_written(call, actor, context) -> bool:
    """The call has an announcement text in at least one language."""
    return any((text or "").strip() for text in (call.announcement or {}).values())
