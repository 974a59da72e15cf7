"""the languages a reviewer reads

users.languages: the codes of the languages a user reads, for assigning nominations written in
them. Existing users get an empty list: they declared none, and their interface language
(users.locale) is taken to be the one they read until they do.

Revision ID: 6a1b2c3d4e5f
Revises: 50f664dbe123
Create Date: 2026-12-02 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a1b2c3d4e5f'
down_revision = '50f664dbe123'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('languages')
