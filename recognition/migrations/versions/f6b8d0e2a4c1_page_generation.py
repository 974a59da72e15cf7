"""page generation

page_generation: a PostgreSQL sequence every commit that wrote moves on; anonymous public
pages kept by the workers are rendered again once it has moved (pagecache.py). SQLite keeps
the count in the serving process instead.

Revision ID: f6b8d0e2a4c1
Revises: e5a7c9d1f3b2
Create Date: 2026-12-03 08:40:00

"""

from alembic import op

revision = "f6b8d0e2a4c1"
down_revision = "e5a7c9d1f3b2"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS page_generation")
        op.execute("SELECT nextval('page_generation')")  # last_value is readable from now on


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS page_generation")
