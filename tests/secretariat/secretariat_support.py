"""Helpers for the secretariat tests: submitted reviews, flashed messages, SQL queries counted
or recorded."""

from __future__ import annotations

import contextlib

import factories
from database_support import recorded_statements  # noqa: F401
from sqlalchemy import event

from recognition.extensions import db
from recognition.review.models import Score


def submit_review(nomination, values, reviewer=None, recommendation: str = "recommend"):
    """A submitted review of ``nomination``: ``values`` is one score for every criterion or a
    dict criterion id -> score (criteria left out score 3)."""
    assignment = factories.make_assignment(nomination, reviewer, state="submitted")
    if isinstance(values, int):
        values = {c.id: values for c in nomination.programme.rubric.criteria}
    for c in nomination.programme.rubric.criteria:
        assignment.scores.append(Score(criterion=c.id, value=values.get(c.id, 3)))
    assignment.recommendation = recommendation
    db.session.flush()
    return assignment


@contextlib.contextmanager
def count_queries():
    """Count the SQL statements sent to the database inside the block: ``with ... as n``;
    read ``n[0]`` after it."""
    counter = [0]

    def before(conn, cursor, statement, parameters, context, executemany):
        counter[0] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def flashes(client) -> list[tuple[str, str]]:
    """The (category, message) pairs flashed to the client and not shown yet."""
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))
