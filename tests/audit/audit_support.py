"""Helpers for the record's integrity tests: reviews submitted through the engine, raw SQL
on the history with its triggers lifted, an object's rows."""

from __future__ import annotations

import factories
import sqlalchemy as sa

from recognition.extensions import db as _db
from recognition.review.models import Score
from recognition.workflow.engine import fire
from recognition.workflow.history import APPEND_ONLY_SQL, DROP_APPEND_ONLY_SQL, WorkflowEvent


def review(nomination, reviewer, values: dict[str, int], comment: str = "") -> None:
    """A review assigned, scored and submitted through the engine."""
    assignment = factories.make_assignment(nomination, reviewer, state="accepted")
    for c in nomination.programme.rubric.criteria:
        assignment.scores.append(
            Score(criterion=c.id, value=values.get(c.id, 3), comment=f"{comment} {c.id}")
        )
    assignment.recommendation = "recommend"
    assignment.comment_for_city = f"{comment} for the city"
    _db.session.flush()
    fire(assignment, "submit", reviewer)
    return assignment


def tamper(statement: str, **params) -> None:
    """Run raw SQL on the history with its append-only triggers lifted, then put back."""
    dialect = _db.engine.dialect.name
    # The test's own transaction read the history: end it, or PostgreSQL would have the
    # triggers' removal wait for it.
    _db.session.commit()
    with _db.engine.begin() as connection:
        for drop in DROP_APPEND_ONLY_SQL[dialect]:
            connection.exec_driver_sql(drop)
        connection.execute(sa.text(statement), params)
        for create in APPEND_ONLY_SQL[dialect]:
            connection.exec_driver_sql(create)
    _db.session.expire_all()


def rows_of(object_type: str, object_id: int) -> list[WorkflowEvent]:
    return list(
        _db.session.scalars(
            sa.select(WorkflowEvent)
            .where(WorkflowEvent.object_type == object_type, WorkflowEvent.object_id == object_id)
            .order_by(WorkflowEvent.id)
        )
    )
