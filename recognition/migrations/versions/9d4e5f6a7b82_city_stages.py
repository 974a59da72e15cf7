"""city stages: a city's stage in Making Cities Resilient 2030

city_stages: one row per city (joined, stage A, B, C, or a move it asked for), with the
evidence of its latest request (a note, a PDF stored by content). Nothing is backfilled: a
city without a row has not joined.

Revision ID: 9d4e5f6a7b82
Revises: 8c3d4e5f6a71
Create Date: 2026-12-02 07:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = "9d4e5f6a7b82"
down_revision = "8c3d4e5f6a71"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "city_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["city_id"],
            ["cities.id"],
            name=op.f("fk_city_stages_city_id_cities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_city_stages_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_stages")),
        sa.UniqueConstraint("city_id", name=op.f("uq_city_stages_city_id")),
    )
    with op.batch_alter_table("city_stages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_city_stages_state"), ["state"], unique=False)


def downgrade():
    with op.batch_alter_table("city_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_city_stages_state"))
    op.drop_table("city_stages")
