"""What concurrent transactions do to each other: recognising a concurrent change among
database errors, and the row lock that makes counts for quotas happen one after the other."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db

#: PostgreSQL's serialization failure, deadlock and lock-not-available codes.
_CONCURRENCY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_concurrency_error(exc: BaseException) -> bool:
    """Whether a database error means another transaction changed or holds the rows."""
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        if getattr(exc.orig, "sqlstate", None) in _CONCURRENCY_SQLSTATES:
            return True
        return "database is locked" in str(exc.orig)
    return False


def lock_row(row: Any) -> None:
    """Lock ``row`` until the transaction ends: ``SELECT … FOR UPDATE`` on PostgreSQL; on
    SQLite, which locks the whole database for a writer, by starting to write."""
    table = type(row).__table__
    key = table.primary_key.columns.values()[0]
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(table).where(key == row.id).values({key.name: key}))
    else:
        db.session.execute(sa.select(key).where(key == row.id).with_for_update())
