"""calls in several languages; verification codes of certificates

calls.source_language and calls.texts: a call's title, theme and description per language.
nominations.verification_code: the code a certificate carries, checked at /verify/<code>.

Revision ID: d4e1f0a2b6c3
Revises: c3a9e5f17b22
Create Date: 2026-12-02 02:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e1f0a2b6c3'
down_revision = 'c3a9e5f17b22'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('source_language', sa.String(length=8), server_default='en', nullable=False)
        )
        batch_op.add_column(sa.Column('texts', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_code', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_nominations_verification_code'), ['verification_code']
        )


def downgrade():
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_nominations_verification_code'), type_='unique')
        batch_op.drop_column('verification_code')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('texts')
        batch_op.drop_column('source_language')
