"""Emptying the test database between tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from recognition import pagecache
from recognition.extensions import db
from recognition.review import analyses
from recognition.workflow.history import APPEND_ONLY_SQL, DROP_APPEND_ONLY_SQL


def empty_tables(app) -> None:
    """Empty every table between tests. The history refuses DELETE (its triggers): TRUNCATE
    on PostgreSQL does not fire them; on SQLite they are dropped and restored around it."""
    tables = list(reversed(db.metadata.sorted_tables))
    analyses.wait(60)  # a computation of this test's rows writes before they go
    # The same addresses and ids will show other rows: what the process kept goes too.
    pagecache.clear(app)
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for statement in DROP_APPEND_ONLY_SQL["sqlite"]:
                    conn.execute(sa.text(statement))
                for table in tables:
                    conn.execute(table.delete())
                for statement in APPEND_ONLY_SQL["sqlite"]:
                    conn.execute(sa.text(statement))


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block: ``with ... as sent``."""
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
