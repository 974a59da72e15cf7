"""Who reads and writes a round's discussion of a nomination.

The round's panel — the reviewers asked to review the nomination in that round, once they
have submitted their review — and whoever sees the nomination's scores (the secretariat,
from the workflow's ``view_scores`` permission). Never the nomination's authors, never a
reviewer of another round or of another nomination. Reviewers are named to each other only
as "Reviewer A, B, C" (those who submitted, in the order they were asked), as the scoring
page names the other reviewers' scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.definition import Round
from ..review.models import Assignment
from ..review.rounds import rounds_reached
from ..workflow.registry import tagged
from ..workflow.security import can


@dataclass(frozen=True)
class Thread:
    """A round's discussion of one nomination as one reader may see it."""

    nomination: Nomination
    round: Round
    #: The reader is on the panel (a reviewer), not the secretariat.
    member: bool
    #: Reviewer id -> "A", "B", ... for the round's panel on this nomination.
    labels: dict[int, str]


def panel_labels(nomination_id: int, round_id: str) -> dict[int, str]:
    """The round's reviewers of the nomination who submitted, labelled in the order they
    were asked — the letters the scoring page gives the other reviewers' scores."""
    ids = db.session.scalars(
        sa.select(Assignment.reviewer_id)
        .where(
            Assignment.nomination_id == nomination_id,
            Assignment.round == round_id,
            tagged(Assignment, "counted"),
        )
        .order_by(Assignment.id)
    ).all()
    return {reviewer_id: chr(ord("A") + index % 26) for index, reviewer_id in enumerate(ids)}


def submitted_member(user, nomination_id: int, round_id: str) -> bool:
    """Whether the user reviewed the nomination in the round and submitted the review."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            sa.select(Assignment.id).where(
                Assignment.nomination_id == nomination_id,
                Assignment.round == round_id,
                Assignment.reviewer_id == user.id,
                tagged(Assignment, "counted"),
            )
        )
        is not None
    )


def thread_for(user, nomination: Nomination, round_id: str) -> Thread | None:
    """The round's discussion as ``user`` may see it, or None if they may not."""
    round_ = next((r for r in nomination.programme.rounds if r.id == round_id), None)
    if round_ is None or not round_.discussion:
        return None
    if can(user, "view_scores", nomination):
        member = False
    elif submitted_member(user, nomination.id, round_.id):
        member = True
    else:
        return None
    return Thread(nomination, round_, member, panel_labels(nomination.id, round_.id))


def threads_for(user, nomination: Nomination) -> list[Thread]:
    """Every discussion of the nomination the user may see, round by round."""
    found = []
    for round_ in rounds_reached(nomination):
        thread = thread_for(user, nomination, round_.id)
        if thread is not None:
            found.append(thread)
    return found
