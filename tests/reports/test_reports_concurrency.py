"""Processes opening the same reports at the same moment, on PostgreSQL with real threads:
each report is opened once and told once; the others skip it and carry on. SQLite has no
concurrent writers: these tests need PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

import pytest
from reports_support import outbox, reports

from recognition.extensions import db
from recognition.reports import operations
from recognition.timeutil import clock_at

pytestmark = pytest.mark.postgres_only

RUNNERS = 3


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers")


def test_runs_at_the_same_moment_open_each_report_once(app, world, monkeypatch):
    barrier = threading.Barrier(RUNNERS, timeout=30)
    read = operations._opened

    def read_then_wait(ids):
        # Every run has seen no report opened before any of them opens one.
        found = read(ids)
        barrier.wait()
        return found

    monkeypatch.setattr(operations, "_opened", read_then_wait)
    opened: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                opened.append(operations.open_due_reports())
                db.session.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(RUNNERS)]
    with clock_at(datetime(2029, 6, 1)):  # two years ended, in both cities
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(opened) == [0] * (RUNNERS - 1) + [4]  # one run opened all, the others none
    years = Counter((r.nomination_id, r.year) for r in reports())
    assert sorted(years.values()) == [1, 1, 1, 1]
    told = Counter(m.dedupe_key for m in outbox(template="annual_report_due"))
    assert len(told) == 2 * 2 + 2 * 1  # each report to each focal point of its city
    assert set(told.values()) == {1}
