"""WorkflowEvent rows are append-only: no update or delete gets through the ORM, nor through
raw SQL on any connection (the database's own triggers)."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from workflow_support import history, make_nomination

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.workflow.engine import fire
from recognition.workflow.history import HistoryIsAppendOnly, WorkflowEvent, history_of


@pytest.fixture
def event(app):
    """One committed history row: a submitted nomination accepted by the secretariat."""
    nomination = make_nomination("submitted")
    fire(nomination, "accept", factories.make_secretariat(), "Complete.")
    db.session.commit()
    return history(nomination)[0]


def _stored(event_id: int) -> tuple[str, str] | None:
    """The row as another connection reads it."""
    with Session(db.engine) as session:
        row = session.get(WorkflowEvent, event_id)
        return (row.comment, row.to_state) if row else None


def test_changing_a_row_is_refused(event):
    event.comment = "Nothing to see here."
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert _stored(event.id) == ("Complete.", "under_review")


def test_deleting_a_row_is_refused(event):
    db.session.delete(event)
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert _stored(event.id) == ("Complete.", "under_review")


def test_a_bulk_update_is_refused(event):
    with pytest.raises(HistoryIsAppendOnly):
        db.session.execute(sa.update(WorkflowEvent).values(comment="Rewritten."))
    with pytest.raises(HistoryIsAppendOnly):
        db.session.execute(
            sa.update(WorkflowEvent).where(WorkflowEvent.id == event.id).values(to_state="draft")
        )
    db.session.rollback()
    assert _stored(event.id) == ("Complete.", "under_review")


def test_a_bulk_delete_is_refused(event):
    with pytest.raises(HistoryIsAppendOnly):
        db.session.execute(sa.delete(WorkflowEvent))
    with pytest.raises(HistoryIsAppendOnly):
        db.session.execute(sa.delete(WorkflowEvent).where(WorkflowEvent.id == event.id))
    db.session.rollback()
    assert _stored(event.id) == ("Complete.", "under_review")


def test_legacy_query_update_and_delete_are_refused(event):
    with pytest.raises(HistoryIsAppendOnly):
        db.session.query(WorkflowEvent).update({"comment": "Rewritten."})
    with pytest.raises(HistoryIsAppendOnly):
        db.session.query(WorkflowEvent).filter_by(id=event.id).delete()
    db.session.rollback()
    assert _stored(event.id) == ("Complete.", "under_review")


def test_another_session_is_refused_too(event):
    with Session(db.engine) as session:
        row = session.get(WorkflowEvent, event.id)
        row.comment = "Rewritten."
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()
        session.rollback()
        with pytest.raises(HistoryIsAppendOnly):
            session.execute(sa.delete(WorkflowEvent))
    assert _stored(event.id) == ("Complete.", "under_review")


def test_new_rows_are_still_appended(event):
    nomination = db.session.get(Nomination, event.object_id)
    fire(nomination, "return", factories.make_secretariat(), "Add the letter.")
    db.session.commit()
    rows = history_of(nomination)
    assert [r.transition for r in rows] == ["accept", "return"]
    assert rows[0].id == event.id and rows[0].comment == "Complete."


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE workflow_events SET comment = 'Rewritten.'",
        "UPDATE workflow_events SET to_state = 'draft' WHERE id = :id",
        "DELETE FROM workflow_events WHERE id = :id",
        "DELETE FROM workflow_events",
    ],
)
def test_the_database_refuses_raw_sql_that_changes_history(event, statement):
    """Whatever writes to the database, not only this application's ORM."""
    with db.engine.connect() as conn:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            conn.execute(sa.text(statement), {"id": event.id})
        conn.rollback()
    assert _stored(event.id) == ("Complete.", "under_review")


def test_raw_sql_may_still_append(event):
    with db.engine.begin() as conn:
        conn.execute(
            sa.insert(WorkflowEvent.__table__).values(
                workflow="nomination",
                object_type="nomination",
                object_id=event.object_id,
                transition="return",
                from_state="under_review",
                to_state="returned",
                comment="",
                at=event.at,
                data={},
            )
        )
    assert len(history_of(db.session.get(Nomination, event.object_id))) == 2
