"""A call's workbook (XLSX), prepared in the background and downloaded when ready.

Writing a spreadsheet cell by cell costs far more than writing CSV: a call of 10,000
nominations (some 330,000 rows over the three sheets) takes openpyxl most of a minute,
longer than a web worker may take to answer. So the secretariat asks for the workbook, a
thread of the process that took the request writes it, and any app server hands it out:
the finished file is kept in the database in parts of ``PART_BYTES``, read back one part
at a time. Only the newest finished workbook of a call is kept.

A preparation that does not finish within ``WORKBOOK_MINUTES`` (its process was stopped, say)
counts as lost; the secretariat may ask again.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

log = logging.getLogger(__name__)

#: Bytes of a finished workbook per row of workbook_parts.
PART_BYTES = 1 << 20
#: Minutes a preparation may take before it counts as lost (its process stopped, say).
WORKBOOK_MINUTES = 15


class PreparedWorkbook(db.Model):
    """One preparation of a call's workbook: asked for, then finished (with its size) or
    failed. Its bytes are in WorkbookPart."""

    __tablename__ = "prepared_workbooks"
    __table_args__ = (
        sa.Index("ix_prepared_workbooks_call_requested", "call_id", "requested_at"),
        {"info": {"public": False}},  # no public page shows these rows (pagecache)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: The file's size once written; None while it is prepared, and when it failed.
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    failed: Mapped[bool] = mapped_column(default=False)

    def ready(self) -> bool:
        return self.finished_at is not None and not self.failed

    def in_progress(self, now: datetime | None = None) -> bool:
        """Asked for, not finished, and not yet given up for lost."""
        return self.finished_at is None and (now or utcnow()) < self.deadline()

    def deadline(self) -> datetime:
        return self.requested_at + timedelta(minutes=WORKBOOK_MINUTES)


class WorkbookPart(db.Model):
    """A part of a finished workbook's bytes, in order of ``number``."""

    __tablename__ = "workbook_parts"
    # No public page shows these rows: writing them keeps the kept public pages (pagecache).
    __table_args__ = {"info": {"public": False}}

    workbook_id: Mapped[int] = mapped_column(
        sa.ForeignKey("prepared_workbooks.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


def latest(call_id: int) -> PreparedWorkbook | None:
    """The call's most recently asked-for workbook, finished or not."""
    return db.session.scalar(
        sa.select(PreparedWorkbook)
        .where(PreparedWorkbook.call_id == call_id)
        .order_by(PreparedWorkbook.requested_at.desc(), PreparedWorkbook.id.desc())
        .limit(1)
    )


def newest_ready(call_id: int) -> PreparedWorkbook | None:
    """The call's newest finished workbook, the one to download."""
    return db.session.scalar(
        sa.select(PreparedWorkbook)
        .where(
            PreparedWorkbook.call_id == call_id,
            PreparedWorkbook.finished_at.is_not(None),
            PreparedWorkbook.failed.is_(False),
        )
        .order_by(PreparedWorkbook.finished_at.desc(), PreparedWorkbook.id.desc())
        .limit(1)
    )


def ask(call_id: int, user_id: int | None) -> PreparedWorkbook:
    """Record that the call's workbook is asked for (flushes; the caller commits, then
    starts it with ``start``)."""
    workbook = PreparedWorkbook(call_id=call_id, requested_by_id=user_id, requested_at=utcnow())
    db.session.add(workbook)
    db.session.flush()
    return workbook


def start(workbook_id: int, subject, write) -> threading.Thread:
    """Prepare the workbook in a thread of this process with ``write(subject, file)`` (the
    exports' writer); return the thread."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=prepare,
        args=(app, workbook_id, subject, write),
        name=f"workbook-{workbook_id}",
        daemon=True,
    )
    thread.start()
    return thread


def prepare(app: Flask, workbook_id: int, subject, write) -> None:
    """Write the workbook, store its parts and mark it finished, in one transaction; on
    any error mark it failed. Older workbooks of the call go once this one is stored."""
    with app.app_context():
        try:
            with tempfile.TemporaryFile(suffix=".xlsx") as target:
                write(subject, target)
                size = target.tell()
                target.seek(0)
                number = 0
                while chunk := target.read(PART_BYTES):
                    db.session.execute(
                        sa.insert(WorkbookPart),
                        {"workbook_id": workbook_id, "number": number, "data": chunk},
                    )
                    number += 1
            db.session.execute(
                sa.update(PreparedWorkbook)
                .where(PreparedWorkbook.id == workbook_id)
                .values(finished_at=utcnow(), size=size)
            )
            _forget_older(subject.call_id, workbook_id)
            db.session.commit()
        except Exception:
            log.exception("workbook %s of call %s failed", workbook_id, subject.call_id)
            db.session.rollback()
            db.session.execute(
                sa.update(PreparedWorkbook)
                .where(PreparedWorkbook.id == workbook_id)
                .values(finished_at=utcnow(), failed=True)
            )
            db.session.commit()
        finally:
            db.session.remove()


def _forget_older(call_id: int, workbook_id: int) -> None:
    """Delete the call's finished workbooks older than ``workbook_id`` (parts included)."""
    older = sa.select(PreparedWorkbook.id).where(
        PreparedWorkbook.call_id == call_id,
        PreparedWorkbook.id < workbook_id,
        PreparedWorkbook.finished_at.is_not(None),
    )
    ids = list(db.session.scalars(older))
    if ids:
        db.session.execute(sa.delete(WorkbookPart).where(WorkbookPart.workbook_id.in_(ids)))
        db.session.execute(sa.delete(PreparedWorkbook).where(PreparedWorkbook.id.in_(ids)))


def parts(workbook_id: int) -> Iterator[bytes]:
    """The finished workbook's bytes, a part at a time, each read on its own: memory holds
    one part, and no transaction stays open between two parts."""
    number = 0
    engine = db.engine
    while True:
        with engine.connect() as conn:
            data = conn.scalar(
                sa.select(WorkbookPart.data).where(
                    WorkbookPart.workbook_id == workbook_id, WorkbookPart.number == number
                )
            )
        if data is None:
            return
        yield bytes(data)
        number += 1
