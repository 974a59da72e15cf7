"""review rounds: assignments per round, call round deadlines, juries, deliberation

assignments.round (existing assignments belong to the first round, "review"); one
assignment per nomination, reviewer and round. call_rounds: a round's review deadline per
call. jurors: a call's named jury per round. discussion_posts and consensus: the panel's
deliberation on a nomination in a round. users.reviews_seen_at: what is new on "My reviews".

Revision ID: 7b2c3d4e5f60
Revises: 6a1b2c3d4e5f
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "7b2c3d4e5f60"
down_revision = "6a1b2c3d4e5f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviews_seen_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("round", sa.String(length=32), nullable=False, server_default="review")
        )
        batch_op.create_index(batch_op.f("ix_assignments_round"), ["round"], unique=False)
        batch_op.drop_constraint("uq_assignments_pair", type_="unique")
        batch_op.create_unique_constraint(
            "uq_assignments_pair", ["nomination_id", "reviewer_id", "round"]
        )
    op.create_table(
        "call_rounds",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("review_deadline", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_call_rounds_call_id_calls")),
        sa.PrimaryKeyConstraint("call_id", "round", name=op.f("pk_call_rounds")),
    )
    op.create_table(
        "jurors",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_jurors_call_id_calls")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_jurors_user_id_users")),
        sa.PrimaryKeyConstraint("call_id", "round", "user_id", name=op.f("pk_jurors")),
    )
    op.create_table(
        "discussion_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_discussion_posts_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_discussion_posts_nomination_id_nominations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_posts")),
    )
    op.create_index(
        "ix_discussion_posts_thread", "discussion_posts", ["nomination_id", "round"], unique=False
    )
    op.create_table(
        "consensus",
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"], ["nominations.id"], name=op.f("fk_consensus_nomination_id_nominations")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_consensus_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("nomination_id", "round", name=op.f("pk_consensus")),
    )


def downgrade():
    op.drop_table("consensus")
    op.drop_index("ix_discussion_posts_thread", table_name="discussion_posts")
    op.drop_table("discussion_posts")
    op.drop_table("jurors")
    op.drop_table("call_rounds")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_assignments_pair", type_="unique")
        batch_op.create_unique_constraint("uq_assignments_pair", ["nomination_id", "reviewer_id"])
        batch_op.drop_index(batch_op.f("ix_assignments_round"))
        batch_op.drop_column("round")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("reviews_seen_at")
