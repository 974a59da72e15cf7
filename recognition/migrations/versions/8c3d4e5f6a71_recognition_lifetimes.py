"""recognitions with a lifetime: valid from/until, renewals; the city's time zone

nominations.valid_from, valid_until (dates, the city's calendar), renews_id (the recognition
a nomination renews). cities.timezone, from the first focal point's time zone.

Revision ID: 8c3d4e5f6a71
Revises: 7b2c3d4e5f60
Create Date: 2026-12-02 07:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "8c3d4e5f6a71"
down_revision = "7b2c3d4e5f60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("renews_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_nominations_valid_until"), ["valid_until"])
        batch_op.create_index(batch_op.f("ix_nominations_renews_id"), ["renews_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_nominations_renews_id_nominations"), "nominations", ["renews_id"], ["id"]
        )
    with op.batch_alter_table("cities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC")
        )
    op.execute(
        "UPDATE cities SET timezone = COALESCE((SELECT users.timezone FROM memberships "
        "JOIN users ON users.id = memberships.user_id WHERE memberships.city_id = cities.id "
        "ORDER BY memberships.user_id LIMIT 1), 'UTC')"
    )


def downgrade():
    with op.batch_alter_table("cities", schema=None) as batch_op:
        batch_op.drop_column("timezone")
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_nominations_renews_id_nominations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_nominations_renews_id"))
        batch_op.drop_index(batch_op.f("ix_nominations_valid_until"))
        batch_op.drop_column("renews_id")
        batch_op.drop_column("valid_until")
        batch_op.drop_column("valid_from")
