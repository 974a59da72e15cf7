"""Local roles from assignments.

``assignee`` on an assignment: the reviewer it names. ``assigned_reviewer`` on a nomination:
a reviewer with an accepted, non-conflicted assignment to it (accepted, submitted, reopened).
"""

import sqlalchemy as sa

from ..accounts.models import User
from ..extensions import db
from ..nominations.models import Nomination
from ..workflow.registry import bind_model
from ..workflow.security import can, local_role
from .models import ACTIVE_STATES, Assignment

bind_model(Assignment)


@local_role(
    "assignee",
    "assignment",
    clause=lambda user: Assignment.reviewer_id == user.id,
    users=lambda a: sa.select(User).where(User.id == a.reviewer_id),
)
def is_assignee(user, assignment) -> bool:
    """The assignment is the user's."""
    return assignment.reviewer_id == user.id


def _assigned_clause(user):
    return Nomination.id.in_(
        sa.select(Assignment.nomination_id).where(
            Assignment.reviewer_id == user.id, Assignment.state.in_(ACTIVE_STATES)
        )
    )


def _assigned_users(nomination):
    return (
        sa.select(User)
        .join(Assignment, Assignment.reviewer_id == User.id)
        .where(Assignment.nomination_id == nomination.id, Assignment.state.in_(ACTIVE_STATES))
    )


@local_role("assigned_reviewer", "nomination", clause=_assigned_clause, users=_assigned_users)
def is_assigned_reviewer(user, nomination) -> bool:
    """The user has an accepted, non-conflicted assignment to the nomination."""
    if not can(user, "review"):
        return False
    return bool(
        db.session.scalar(
            sa.select(Assignment.id).where(
                Assignment.nomination_id == nomination.id,
                Assignment.reviewer_id == user.id,
                Assignment.state.in_(ACTIVE_STATES),
            )
        )
    )
