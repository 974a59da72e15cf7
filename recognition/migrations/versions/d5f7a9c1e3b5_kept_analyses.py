"""kept analyses

kept_analyses: a call's round's fairness figures and robustness verdict, computed in the
background at campaign scale and read by every app server (review/analyses.py).
ix_nomination_scores_disagreement: the dashboard's disagreements counted and listed from the
index.

Revision ID: d5f7a9c1e3b5
Revises: c3e5a7b9d1f4
Create Date: 2026-12-04 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d5f7a9c1e3b5"
down_revision = "c3e5a7b9d1f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_analyses",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("stamp", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_kept_analyses_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("call_id", "round", "kind", name=op.f("pk_kept_analyses")),
    )
    op.create_index(
        "ix_nomination_scores_disagreement",
        "nomination_scores",
        ["call_id", "round", "disagreement", "nomination_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_nomination_scores_disagreement", table_name="nomination_scores")
    op.drop_table("kept_analyses")
