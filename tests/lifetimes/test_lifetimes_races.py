"""The daily command run twice at the same moment, on PostgreSQL with real threads: each
reminder is queued once and each recognition moves once."""

from __future__ import annotations

import threading
from datetime import datetime

import factories
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from test_lifetimes import hub

from recognition.extensions import db
from recognition.lifetimes.operations import move_on, queue_expiry_reminders
from recognition.notifications.models import OutboxMessage
from recognition.timeutil import clock_at
from recognition.workflow.history import WorkflowEvent

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers")


def run_together(app, work, times: int) -> None:
    barrier = threading.Barrier(times, timeout=30)
    errors: list[BaseException] = []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                work()
                db.session.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


@pytest.mark.parametrize("runs", [2, 4])
def test_concurrent_runs_queue_each_reminder_once(app, db, runs):
    cities = []
    for n in range(5):
        focal = factories.make_user(email=f"focal{n}@hub.example", timezone="Asia/Manila")
        cities.append(factories.make_city(timezone="Asia/Manila", members=[focal]))
    for city in cities:
        hub(city)
    db.session.commit()
    with clock_at(datetime(2030, 1, 1)):  # about 70 days before the end: the 90-day point
        run_together(app, queue_expiry_reminders, runs)
        run_together(app, move_on, runs)
    with Session(db.engine) as session:
        keys = session.scalars(
            sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.template == "expiry_reminder")
        ).all()
        moves = session.scalar(
            sa.select(sa.func.count())
            .select_from(WorkflowEvent)
            .where(WorkflowEvent.transition == "expire_soon")
        )
    assert len(keys) == len(set(keys)) == 5
    assert all(key.split(":")[3] == "90" for key in keys)
    assert moves == 5
