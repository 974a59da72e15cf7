"""WorkflowEvent: the append-only history of every object created and transition fired.

Append-only twice over: the ORM refuses to change or delete a row, and so does the database
(triggers added by a migration, the SQL below), whatever writes to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .chain import link
from .definition import CREATED, WorkflowDefinition
from .registry import definition_for
from .security import can

if TYPE_CHECKING:
    from ..accounts.models import User

#: The database's refusal of UPDATE and DELETE on the history, per dialect (the migration
#: holds the same statements; tests that empty the tables drop and restore them).
APPEND_ONLY_SQL = {
    "postgresql": (
        "CREATE FUNCTION workflow_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'workflow history is append-only' "
        "USING ERRCODE = 'restrict_violation'; END $$",
        "CREATE TRIGGER workflow_events_append_only BEFORE UPDATE OR DELETE "
        "ON workflow_events FOR EACH ROW EXECUTE FUNCTION workflow_events_append_only()",
    ),
    "sqlite": (
        "CREATE TRIGGER workflow_events_no_update BEFORE UPDATE ON workflow_events "
        "BEGIN SELECT RAISE(ABORT, 'workflow history is append-only'); END",
        "CREATE TRIGGER workflow_events_no_delete BEFORE DELETE ON workflow_events "
        "BEGIN SELECT RAISE(ABORT, 'workflow history is append-only'); END",
    ),
}
DROP_APPEND_ONLY_SQL = {
    "postgresql": (
        "DROP TRIGGER IF EXISTS workflow_events_append_only ON workflow_events",
        "DROP FUNCTION IF EXISTS workflow_events_append_only()",
    ),
    "sqlite": (
        "DROP TRIGGER IF EXISTS workflow_events_no_update",
        "DROP TRIGGER IF EXISTS workflow_events_no_delete",
    ),
}


class HistoryIsAppendOnly(Exception):
    """Raised when code tries to change or delete a history row."""


class WorkflowEvent(db.Model):
    """One fired transition: who moved what from where to where, when, and why."""

    __tablename__ = "workflow_events"
    __table_args__ = (
        sa.Index("ix_workflow_events_object", "object_type", "object_id", "id"),
        # "Which objects ever entered these states" (a round's entrants) without a scan.
        sa.Index("ix_workflow_events_entered", "object_type", "to_state", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[int]
    transition: Mapped[str] = mapped_column(sa.String(64), index=True)
    from_state: Mapped[str] = mapped_column(sa.String(64))
    to_state: Mapped[str] = mapped_column(sa.String(64))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Extra facts the operation recorded (e.g. an override reason), never secrets.
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: The version of the workflow definition the row was made under: the SHA-256 of its
    #: YAML ("" for rows older than the hash chains). A later change of the YAML leaves the
    #: row, and its hash, as they were.
    definition_hash: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    #: The hash of the row before it in its object's history (None: the chain's first row)
    #: and its own, over its content and that link (see chain.py).
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))

    actor: Mapped[User | None] = relationship("User", lazy="joined")

    def __repr__(self) -> str:
        return f"<WorkflowEvent {self.object_type}:{self.object_id} {self.transition}>"


@event.listens_for(WorkflowEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise HistoryIsAppendOnly("workflow history rows cannot be changed")


@event.listens_for(WorkflowEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise HistoryIsAppendOnly("workflow history rows cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    if (state.is_update or state.is_delete) and any(
        m.class_ is WorkflowEvent for m in state.all_mappers
    ):
        raise HistoryIsAppendOnly("workflow history rows cannot be changed or deleted")


def history_of(obj: Any) -> list[WorkflowEvent]:
    """Return the history of one object (of a workflow-bound model), oldest first.

    The actors come with it; their roles too, unless the reader may see every actor's name
    (``actor_label`` asks for them only to name a stranger "Secretariat" or "Reviewer")."""
    object_type = definition_for(obj).applies_to
    stmt = (
        sa.select(WorkflowEvent)
        .where(WorkflowEvent.object_type == object_type, WorkflowEvent.object_id == obj.id)
        .order_by(WorkflowEvent.id)
    )
    if has_request_context() and can(current_user, "run_campaign"):
        stmt = stmt.options(joinedload(WorkflowEvent.actor).lazyload("*"))
    return list(db.session.scalars(stmt))


def heads(object_type: str, object_ids: Iterable[int]) -> dict[tuple[str, int], str]:
    """The last hash of each object's chain, read in one statement."""
    last = (
        sa.select(sa.func.max(WorkflowEvent.id))
        .where(WorkflowEvent.object_type == object_type, WorkflowEvent.object_id.in_(object_ids))
        .group_by(WorkflowEvent.object_id)
    )
    rows = db.session.execute(
        sa.select(WorkflowEvent.object_id, WorkflowEvent.hash).where(WorkflowEvent.id.in_(last))
    )
    return {(object_type, object_id): digest for object_id, digest in rows if digest}


def head(object_type: str, object_id: int) -> str | None:
    """The last hash of one object's chain."""
    return db.session.scalar(
        sa.select(WorkflowEvent.hash)
        .where(WorkflowEvent.object_type == object_type, WorkflowEvent.object_id == object_id)
        .order_by(WorkflowEvent.id.desc())
        .limit(1)
    )


def insert_history(rows: list[dict[str, Any]]) -> None:
    """Insert history rows made by ``history_rows`` (synthetic data), each linked to its
    object's chain: after the object's last row in the database, or the one before it."""
    if not rows:
        return
    found: dict[tuple[str, int], str] = {}
    for object_type in {row["object_type"] for row in rows}:
        ids = {row["object_id"] for row in rows if row["object_type"] == object_type}
        found.update(heads(object_type, ids))
    link(rows, found)
    db.session.execute(sa.insert(WorkflowEvent), rows)


def history_rows(
    definition: WorkflowDefinition,
    object_id: int,
    path: Iterable[str],
    actor_id: int | None,
    at: datetime,
) -> list[dict[str, Any]]:
    """The history rows create() and fire() would write for an object created and moved
    along ``path``, for loading synthetic data in bulk (each step checked). Give them their
    hashes with ``chain.link`` once they are as they will be inserted."""
    common = {
        "workflow": definition.id,
        "object_type": definition.applies_to,
        "object_id": object_id,
        "actor_id": actor_id,
        "comment": "",
        "at": at,
        "data": {},
        "definition_hash": definition.version,
        "prev_hash": None,
        "hash": None,
    }
    rows = [{**common, "transition": CREATED, "from_state": "", "to_state": definition.initial}]
    state = definition.initial
    for name in path:
        dest = definition.walk([name], start=state)
        rows.append({**common, "transition": name, "from_state": state, "to_state": dest})
        state = dest
    return rows
