"""history hash chains

calls.record_head: the head of a call's record sealed by its announcement.
workflow_events: definition_hash (the workflow YAML's version a row was made under),
prev_hash and hash (each object's rows chained). Rows already there are chained in place,
oldest first, with an empty definition version (unknown); the append-only triggers are
lifted for that and put back.

Revision ID: c3e5a7b9d1f4
Revises: b2d4f6a8c0e1
Create Date: 2026-12-03 18:30:00

"""

import sqlalchemy as sa
from alembic import op

from recognition.workflow.chain import link

revision = "c3e5a7b9d1f4"
down_revision = "b2d4f6a8c0e1"
branch_labels = None
depends_on = None

# The append-only triggers as of revision b7e2c41d9a10, frozen here.
APPEND_ONLY = {
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
DROP = {
    "postgresql": (
        "DROP TRIGGER IF EXISTS workflow_events_append_only ON workflow_events",
        "DROP FUNCTION IF EXISTS workflow_events_append_only()",
    ),
    "sqlite": (
        "DROP TRIGGER IF EXISTS workflow_events_no_update",
        "DROP TRIGGER IF EXISTS workflow_events_no_delete",
    ),
}

EVENTS = sa.table(
    "workflow_events",
    sa.column("id", sa.Integer),
    sa.column("workflow", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("transition", sa.String),
    sa.column("from_state", sa.String),
    sa.column("to_state", sa.String),
    sa.column("actor_id", sa.Integer),
    sa.column("comment", sa.Text),
    sa.column("at", sa.DateTime),
    sa.column("data", sa.JSON),
    sa.column("definition_hash", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def upgrade():
    with op.batch_alter_table("workflow_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("definition_hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_head", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in DROP[dialect]:
        op.execute(statement)
    rows = [
        dict(row)
        for row in bind.execute(
            sa.select(EVENTS).order_by(EVENTS.c.object_type, EVENTS.c.object_id, EVENTS.c.id)
        ).mappings()
    ]
    link(rows)
    if rows:
        bind.execute(
            EVENTS.update()
            .where(EVENTS.c.id == sa.bindparam("_id"))
            .values(prev_hash=sa.bindparam("_prev"), hash=sa.bindparam("_hash")),
            [{"_id": r["id"], "_prev": r["prev_hash"], "_hash": r["hash"]} for r in rows],
        )
    for statement in APPEND_ONLY[dialect]:
        op.execute(statement)


def downgrade():
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("record_head")
    with op.batch_alter_table("workflow_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("definition_hash")
