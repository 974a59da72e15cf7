"""Local roles from assignments.

``assignee`` on an assignment: the reviewer it names. ``assigned_reviewer`` on a nomination:
a reviewer with an engaged assignment to it (accepted, not conflicted: review.yaml's tag).
"""

import sqlalchemy as sa

from ..accounts.models import User
from ..extensions import db
from ..nominations.models import Nomination
from ..workflow.registry import bind_model, tagged
from ..workflow.security import can, local_role
from .models import Assignment

bind_model(
    Assignment,
    page="review.review",
    arg="assignment_id",
    title=lambda a: f"{a.nomination.nominee_name()} — {a.nomination.call.text('title')}",
)


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
    """SQL twin of ``is_assigned_reviewer``: nothing for someone no longer a reviewer."""
    if not can(user, "review"):
        return sa.false()
    return Nomination.id.in_(
        sa.select(Assignment.nomination_id).where(
            Assignment.reviewer_id == user.id, tagged(Assignment, "engaged")
        )
    )


def _assigned_users(nomination):
    return (
        sa.select(User)
        .join(Assignment, Assignment.reviewer_id == User.id)
        .where(Assignment.nomination_id == nomination.id, tagged(Assignment, "engaged"))
    )


@local_role("assigned_reviewer", "nomination", clause=_assigned_clause, users=_assigned_users)
def is_assigned_reviewer(user, nomination) -> bool:
    """The user has an engaged assignment to the nomination."""
    if not can(user, "review"):
        return False
    return bool(
        db.session.scalar(
            sa.select(Assignment.id).where(
                Assignment.nomination_id == nomination.id,
                Assignment.reviewer_id == user.id,
                tagged(Assignment, "engaged"),
            )
        )
    )
