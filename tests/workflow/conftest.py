"""A cheaper ``app`` for the many workflow tests that never commit."""

from __future__ import annotations

import pytest
from database_support import empty_tables as _empty_tables
from sqlalchemy import event

from recognition.extensions import db


@pytest.fixture
def rolled_back_app(_app):
    """The app, for a test that only flushes: its transaction is rolled back afterwards.

    ``app`` empties every table after each test, which costs about 0.2 s on PostgreSQL; the
    hundreds of parametrized engine tests need no more than a rollback. A test that commits
    must use ``app``: this fixture fails it (and cleans up) if it does.
    """
    ctx = _app.app_context()
    ctx.push()
    session = db.session()
    commits = []

    def record(session):
        if not session.in_nested_transaction():  # a savepoint released is no commit
            commits.append(session)

    event.listen(session, "after_commit", record)
    try:
        yield _app
    finally:
        db.session.rollback()
        db.session.remove()
        ctx.pop()
        event.remove(session, "after_commit", record)
        if commits:
            _empty_tables(_app)
            pytest.fail("a test using rolled_back_app committed: use the app fixture")
