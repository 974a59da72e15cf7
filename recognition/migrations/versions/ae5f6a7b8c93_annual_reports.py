"""annual reports

annual_reports: what a recognised city shared with other cities in each year of its
recognition (annual_report.yaml); one per recognition (nomination) and year.

Revision ID: ae5f6a7b8c93
Revises: 9d4e5f6a7b82
Create Date: 2026-12-02 07:35:00

"""

import sqlalchemy as sa
from alembic import op

revision = "ae5f6a7b8c93"
down_revision = "9d4e5f6a7b82"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "annual_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("peer_exchanges", sa.Text(), nullable=False),
        sa.Column("study_visits", sa.Text(), nullable=False),
        sa.Column("tools", sa.Text(), nullable=False),
        sa.Column("shared_with", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("year >= 1", name=op.f("ck_annual_reports_year_from_one")),
        sa.CheckConstraint(
            "state NOT IN ('submitted', 'accepted') OR submitted_at IS NOT NULL",
            name=op.f("ck_annual_reports_submitted_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_annual_reports_nomination_id_nominations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annual_reports")),
        sa.UniqueConstraint("nomination_id", "year", name=op.f("uq_annual_reports_nomination_id")),
    )
    with op.batch_alter_table("annual_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annual_reports_state"), ["state"], unique=False)
        batch_op.create_index("ix_annual_reports_state_due_on", ["state", "due_on"], unique=False)


def downgrade():
    with op.batch_alter_table("annual_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_annual_reports_state_due_on")
        batch_op.drop_index(batch_op.f("ix_annual_reports_state"))
    op.drop_table("annual_reports")
