"""kept score aggregates; an index of the states objects entered

kept_rounds, score_moments, nomination_scores: a round's score aggregates kept as reviews are
counted and uncounted (review/kept.py), so rankings, dashboards and nomination pages read an
indexed row instead of every score of the call. Built for existing rounds on first use.
kept_loads, reviewer_loads: each reviewer's live and submitted assignments in a call.
ix_workflow_events_entered: how many nominations entered a round, without a scan.

Revision ID: bf6a7b8c9d04
Revises: ae5f6a7b8c93
Create Date: 2026-12-02 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "bf6a7b8c9d04"
down_revision = "ae5f6a7b8c93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_rounds",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("normalised_generation", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_kept_rounds_call_id_calls")
        ),
        sa.PrimaryKeyConstraint("call_id", "round", name=op.f("pk_kept_rounds")),
    )
    op.create_table(
        "score_moments",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("squares", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_score_moments_call_id_calls")
        ),
        sa.PrimaryKeyConstraint(
            "call_id", "round", "reviewer_id", "criterion", name=op.f("pk_score_moments")
        ),
    )
    op.create_table(
        "nomination_scores",
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("weighted_total", sa.Float(), nullable=True),
        sa.Column("normalised_total", sa.Float(), nullable=True),
        sa.Column("disagreement", sa.Boolean(), nullable=False),
        sa.Column("qualifies", sa.Boolean(), nullable=True),
        sa.Column("means", sa.JSON(), nullable=False),
        sa.Column("strengths", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_nomination_scores_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_nomination_scores_nomination_id_nominations"),
        ),
        sa.PrimaryKeyConstraint("nomination_id", "round", name=op.f("pk_nomination_scores")),
    )
    op.create_index(
        "ix_nomination_scores_rank",
        "nomination_scores",
        ["call_id", "round", "weighted_total"],
    )
    op.create_index(
        "ix_nomination_scores_normalised",
        "nomination_scores",
        ["call_id", "round", "normalised_total"],
    )
    op.create_table(
        "kept_loads",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_kept_loads_call_id_calls")
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_kept_loads")),
    )
    op.create_table(
        "reviewer_loads",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("live", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_reviewer_loads_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_reviewer_loads_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("call_id", "reviewer_id", name=op.f("pk_reviewer_loads")),
    )
    op.create_index(
        "ix_workflow_events_entered",
        "workflow_events",
        ["object_type", "to_state", "object_id"],
    )


def downgrade():
    op.drop_index("ix_workflow_events_entered", table_name="workflow_events")
    op.drop_table("reviewer_loads")
    op.drop_table("kept_loads")
    op.drop_index("ix_nomination_scores_normalised", table_name="nomination_scores")
    op.drop_index("ix_nomination_scores_rank", table_name="nomination_scores")
    op.drop_table("nomination_scores")
    op.drop_table("score_moments")
    op.drop_table("kept_rounds")
