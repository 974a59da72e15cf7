"""The discussion on the nomination's page (every round the reader may see) and on a
reviewer's scoring page (the assignment's round)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from ..extensions import db
from ..panels import panel
from ..review.models import Assignment, Consensus, Post
from .access import Thread, thread_for, threads_for
from .forms import ConsensusForm, PostForm


def _scale(thread: Thread) -> tuple[int, int]:
    criteria = thread.round.rubric.criteria
    return min(c.min for c in criteria), max(c.max for c in criteria)


def _shown(threads: list[Thread]) -> list[dict[str, Any]]:
    """Each thread with its messages and consensus (two queries, whatever the rounds)."""
    if not threads:
        return []
    nomination_id = threads[0].nomination.id
    rounds = [t.round.id for t in threads]
    posts: dict[str, list[Post]] = {r: [] for r in rounds}
    for message in db.session.scalars(
        sa.select(Post)
        .where(Post.nomination_id == nomination_id, Post.round.in_(rounds))
        .order_by(Post.id)
    ):
        posts[message.round].append(message)
    agreed = {
        c.round: c
        for c in db.session.scalars(
            sa.select(Consensus).where(
                Consensus.nomination_id == nomination_id, Consensus.round.in_(rounds)
            )
        )
    }
    shown = []
    for thread in threads:
        form = PostForm(formdata=None, prefix=f"d-{thread.round.id}")
        mine = thread.labels.get(current_user.id)
        form.mention.choices = [
            (label, label) for reviewer_id, label in thread.labels.items() if label != mine
        ]
        consensus_form = None
        if not thread.member:
            consensus = agreed.get(thread.round.id)
            consensus_form = ConsensusForm(formdata=None, prefix=f"c-{thread.round.id}")
            consensus_form.configure(*_scale(thread))
            if consensus is not None:
                consensus_form.score.data = consensus.score
                consensus_form.statement.data = consensus.statement
        shown.append(
            {
                "thread": thread,
                "posts": posts[thread.round.id],
                "consensus": agreed.get(thread.round.id),
                "form": form,
                "consensus_form": consensus_form,
                "mine": mine,
                "scale": _scale(thread),
            }
        )
    return shown


@panel("nominations.show", "deliberation/_panel.html", order=15)
def on_nomination(nomination) -> dict[str, Any]:
    return {"deliberation": _shown(threads_for(current_user, nomination))}


@panel("review.review", "deliberation/_panel.html", order=15)
def on_review(assignment: Assignment) -> dict[str, Any]:
    thread = thread_for(current_user, assignment.nomination, assignment.round)
    return {"deliberation": _shown([thread] if thread else [])}
