"""history append-only in the database; global roles from site.yaml

The database refuses UPDATE and DELETE on workflow_events, whatever writes to it (the ORM
refused already). The check on user_roles.role goes: the global roles are those site.yaml
declares, and User.grant() checks them.

Revision ID: b7e2c41d9a10
Revises: 9671d5a880e3
Create Date: 2026-12-02 03:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e2c41d9a10'
down_revision = '9671d5a880e3'
branch_labels = None
depends_on = None

# The same statements as recognition/workflow/history.py's, frozen here as of this revision.
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


def upgrade():
    for statement in APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_user_roles_known_role'), type_='check')


def downgrade():
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f('known_role'), "role IN ('secretariat', 'admin', 'reviewer')"
        )
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
