"""Exports of a large call: a bounded number of SQL statements whatever the call's size,
rows streamed in batches on a connection of their own that is given back however the
download ends, and the workbook prepared in the background with the CSV's rows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from secretariat_support import count_queries
from test_secretariat_exports import KINDS, export_csv, prepared_workbook, wait_for_workbooks

from recognition.scale import load_scale
from recognition.secretariat import exports, workbooks
from recognition.secretariat.workbooks import PreparedWorkbook, WorkbookPart
from recognition.timeutil import utcnow

SMALL, LARGE = 10, 200


def csv_statements(client, call, kind: str) -> tuple[int, int]:
    """(SQL statements, data rows) of downloading one CSV export."""
    with count_queries() as counter:
        rows = export_csv(client, call, kind)
    return counter[0], len(rows)


@pytest.mark.parametrize("kind", KINDS)
def test_csv_costs_the_same_statements_at_any_size(as_officer, monkeypatch, kind):
    monkeypatch.setattr(exports, "BATCH", 20)  # LARGE then spans many batches
    small_call, large_call = load_scale(SMALL), load_scale(LARGE)
    small, small_rows = csv_statements(as_officer, small_call, kind)
    large, large_rows = csv_statements(as_officer, large_call, kind)
    assert large_rows > 4 * exports.BATCH
    # The user, roles, call and local roles, the partners' names, and one query of rows.
    assert small == large <= 8


def test_csv_is_written_a_batch_at_a_time(db, as_officer, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 7)
    call = load_scale(SMALL)
    with as_officer.get(f"/secretariat/calls/{call.id}/export/nominations.csv") as response:
        chunks = [chunk.decode() for chunk in response.response]
    assert chunks[0].startswith("\ufeffnomination_id,")
    data = [list(csv.reader(io.StringIO(chunk))) for chunk in chunks[1:]]
    assert [len(rows) for rows in data] == [7, 3]


def checked_out(db) -> int:
    return db.engine.pool.checkedout()


def idle_in_transaction(db) -> int:
    """Other sessions of the test database idle inside a transaction (PostgreSQL)."""
    with db.engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            return 0
        return conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
            )
        )


def test_a_stream_holds_one_connection_and_gives_it_back(db, as_officer, monkeypatch):
    """While the CSV streams, only the export's own connection is out of the pool (the
    request's session let its go); when the client goes away mid-download it comes back."""
    monkeypatch.setattr(exports, "BATCH", 5)
    call_id = load_scale(SMALL).id
    db.session.close()
    before = checked_out(db)
    response = as_officer.get(f"/secretariat/calls/{call_id}/export/scores.csv", buffered=False)
    chunks = iter(response.response)
    next(chunks), next(chunks)  # the header, then a first batch: the query is running
    during = checked_out(db)
    response.close()  # the client went away
    assert (during, checked_out(db)) == (before + 1, before)
    assert idle_in_transaction(db) == 0


def test_a_finished_stream_leaves_nothing_open(db, as_officer):
    call = load_scale(SMALL)
    call.id  # noqa: B018 - loaded before the session lets its connection go
    db.session.close()
    before = checked_out(db)
    export_csv(as_officer, call, "history")
    assert checked_out(db) == before
    assert idle_in_transaction(db) == 0


def cells(value) -> str:
    """A cell as the CSV writes it: nothing for an empty cell, else its text."""
    return "" if value is None else str(value)


def test_workbook_holds_the_rows_of_the_csv(as_officer):
    call = load_scale(SMALL)
    book = load_workbook(io.BytesIO(prepared_workbook(as_officer, call)), read_only=True)
    try:
        assert book.sheetnames == list(KINDS)
        for kind in KINDS:
            response = as_officer.get(f"/secretariat/calls/{call.id}/export/{kind}.csv")
            expected = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))
            sheet = [[cells(v) for v in row] for row in book[kind].iter_rows(values_only=True)]
            assert sheet == expected, kind
            assert len(expected) > SMALL
    finally:
        book.close()


def test_workbook_page_says_it_is_being_prepared(db, as_officer, world):
    asked = workbooks.ask(world.call.id, None)
    db.session.commit()
    html = as_officer.get(f"/secretariat/calls/{world.call.id}/workbook").get_data(as_text=True)
    assert "is being prepared" in html
    assert 'http-equiv="refresh"' in html
    assert f"/workbook/{asked.id}.xlsx" not in html
    # Asking again while it is prepared starts nothing more.
    as_officer.post(f"/secretariat/calls/{world.call.id}/workbook")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PreparedWorkbook)) == 1


def test_a_lost_preparation_can_be_asked_again(db, as_officer, world):
    asked = workbooks.ask(world.call.id, None)
    asked.requested_at = utcnow() - timedelta(minutes=workbooks.WORKBOOK_MINUTES + 1)
    db.session.commit()
    html = as_officer.get(f"/secretariat/calls/{world.call.id}/workbook").get_data(as_text=True)
    assert "did not finish" in html
    assert 'http-equiv="refresh"' not in html
    assert prepared_workbook(as_officer, world.call).startswith(b"PK")


def test_a_failed_preparation_is_said_and_kept_apart(db, as_officer, world, monkeypatch):
    def broken(subject, target):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "write_workbook", broken)
    as_officer.post(f"/secretariat/calls/{world.call.id}/workbook")
    wait_for_workbooks()
    [asked] = db.session.scalars(sa.select(PreparedWorkbook)).all()
    assert (asked.failed, asked.finished_at is not None, asked.size) == (True, True, None)
    html = as_officer.get(f"/secretariat/calls/{world.call.id}/workbook").get_data(as_text=True)
    assert "did not finish" in html
    assert (
        as_officer.get(f"/secretariat/calls/{world.call.id}/workbook/{asked.id}.xlsx").status_code
        == 404
    )


def test_a_new_workbook_replaces_the_older(db, as_officer, world, monkeypatch):
    monkeypatch.setattr(workbooks, "PART_BYTES", 1000)  # several parts each
    first = prepared_workbook(as_officer, world.call)
    second = prepared_workbook(as_officer, world.call)
    assert load_workbook(io.BytesIO(second)).sheetnames == list(KINDS)
    [kept] = db.session.scalars(sa.select(PreparedWorkbook)).all()
    parts = db.session.scalars(
        sa.select(WorkbookPart.number).where(WorkbookPart.workbook_id == kept.id)
    ).all()
    assert len(parts) == -(-len(second) // 1000) > 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkbookPart)) == len(parts)
    assert len(first) > 0


def test_a_workbook_is_downloaded_only_from_its_call(db, as_officer, world):
    prepared_workbook(as_officer, world.call)
    [asked] = db.session.scalars(sa.select(PreparedWorkbook)).all()
    other = load_scale(SMALL)
    assert (
        as_officer.get(f"/secretariat/calls/{other.id}/workbook/{asked.id}.xlsx").status_code == 404
    )


def test_others_cannot_ask_for_a_workbook(db, login_as, world):
    response = login_as(world.focal).post(f"/secretariat/calls/{world.call.id}/workbook")
    assert response.status_code in (403, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PreparedWorkbook)) == 0
