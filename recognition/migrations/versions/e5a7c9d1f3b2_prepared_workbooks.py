"""prepared workbooks

prepared_workbooks, workbook_parts: a call's XLSX workbook, prepared in the background
(secretariat/workbooks.py) and kept in parts until a newer one of the call is finished.

Revision ID: e5a7c9d1f3b2
Revises: bf6a7b8c9d04
Create Date: 2026-12-02 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e5a7c9d1f3b2"
down_revision = "bf6a7b8c9d04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "prepared_workbooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_prepared_workbooks_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_prepared_workbooks_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_workbooks")),
    )
    op.create_index(
        "ix_prepared_workbooks_call_requested",
        "prepared_workbooks",
        ["call_id", "requested_at"],
        unique=False,
    )
    op.create_table(
        "workbook_parts",
        sa.Column("workbook_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workbook_id"],
            ["prepared_workbooks.id"],
            name=op.f("fk_workbook_parts_workbook_id_prepared_workbooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workbook_id", "number", name=op.f("pk_workbook_parts")),
    )


def downgrade():
    op.drop_table("workbook_parts")
    op.drop_index("ix_prepared_workbooks_call_requested", table_name="prepared_workbooks")
    op.drop_table("prepared_workbooks")
