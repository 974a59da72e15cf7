"""Named worklist filters of the review workflow (a worklist's ``filter:`` in review.yaml)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..nominations.models import Nomination
from ..programmes.models import Call
from ..workflow.registry import states_tagged, tagged
from ..workflow.worklists import worklist_filter
from .models import Assignment


@worklist_filter("nomination_lacks_reviewers")
def nomination_lacks_reviewers(stmt: Any, model: type, user: Any) -> Any:
    """Keep the assignments whose nomination is still in review with fewer live assignments
    than its call's reviewers per nomination: a declined or conflicted reviewer who has been
    replaced leaves nothing to do."""
    other = aliased(Assignment)
    live = (
        sa.select(sa.func.count())
        .select_from(other)
        .where(
            other.nomination_id == Nomination.id,
            other.state.in_(states_tagged(Assignment, "live")),
        )
        .correlate(Nomination)
        .scalar_subquery()
    )
    short = (
        sa.select(Nomination.id)
        .join(Call, Call.id == Nomination.call_id)
        .where(tagged(Nomination, "in_review"), live < Call.reviewers_per_nomination)
    )
    return stmt.where(model.nomination_id.in_(short))
