"""Writing the deliberation: a message to the round's panel (mentioned members told by
e-mail), the consensus the secretariat records."""

from __future__ import annotations

from ..accounts.models import User
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..notifications.operations import absolute_url, in_locale, queue
from ..review.models import Assignment, Consensus, Post
from ..timeutil import utcnow
from .access import Thread


def post(thread: Thread, author: User, body: str, mention: list[str]) -> Post:
    """Add a message to the thread; e-mail the panel members it mentions (by label)."""
    message = Post(
        nomination_id=thread.nomination.id,
        round=thread.round.id,
        author_id=author.id,
        body=body.strip(),
    )
    db.session.add(message)
    db.session.flush()
    wanted = set(mention)
    told = [
        reviewer_id
        for reviewer_id, label in thread.labels.items()
        if label in wanted and reviewer_id != author.id
    ]
    for assignment in db.session.query(Assignment).filter(
        Assignment.nomination_id == thread.nomination.id,
        Assignment.round == thread.round.id,
        Assignment.reviewer_id.in_(told or [-1]),
    ):
        reviewer = assignment.reviewer
        queue(
            reviewer,
            "discussion",
            in_locale(reviewer, _l("The panel asks for your view")),
            link=absolute_url("review.review", assignment_id=assignment.id) + "#discussion",
            nomination=thread.nomination,
            round=thread.round,
        )
    return message


def record_consensus(thread: Thread, actor: User, score: float | None, statement: str) -> Consensus:
    """Record (or replace) the panel's consensus on the nomination in the round."""
    found = db.session.get(Consensus, (thread.nomination.id, thread.round.id))
    if found is None:
        found = Consensus(nomination_id=thread.nomination.id, round=thread.round.id)
        db.session.add(found)
    found.score = score
    found.statement = statement.strip()
    found.recorded_by_id = actor.id
    found.recorded_at = utcnow()
    db.session.flush()
    return found
