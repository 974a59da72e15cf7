"""Several senders over one queue on PostgreSQL (SELECT ... FOR UPDATE SKIP LOCKED): every
message goes out exactly once. SQLite has no concurrent writers: these tests need PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import factories
import pytest
import sqlalchemy as sa
from notifications_support import outbox
from sqlalchemy.orm import Session

from recognition.extensions import db
from recognition.notifications.models import OutboxMessage
from recognition.notifications.operations import queue
from recognition.notifications.sender import send_due

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers (SKIP LOCKED)")


def fill_queue(count: int) -> list[str]:
    users = [factories.make_user() for _ in range(4)]
    context = {"opening": "News.", "comment": None, "show_comment": True}
    ids = [
        queue(users[n % 4], "transition", f"News {n}", **context).message_id for n in range(count)
    ]
    db.session.commit()
    return ids


def test_a_message_locked_by_another_sender_is_skipped_not_waited_for(app, smtp):
    first, second = fill_queue(2)
    with Session(db.engine) as other:
        other.execute(
            sa.select(OutboxMessage.id).where(OutboxMessage.message_id == first).with_for_update()
        ).all()
        # Should the sender wait for the lock after all, fail in seconds instead of hanging.
        db.session.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
        assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
        other.rollback()
    assert smtp.message_ids() == [second]


def test_two_senders_deliver_each_message_exactly_once(app, smtp):
    ids = fill_queue(40)
    smtp.handler.delay = 0.01  # a slow server: both senders have batches in flight at once
    barrier = threading.Barrier(2, timeout=30)
    sent_by: dict[str, int] = {}
    errors: list[BaseException] = []

    def sender_thread(name: str) -> None:
        try:
            with app.app_context():  # its own db.session and connection
                barrier.wait()
                total = 0
                try:
                    while True:
                        counts = send_due(limit=4)
                        if not any(counts.values()):
                            break
                        total += counts["sent"]
                finally:
                    db.session.remove()
                sent_by[name] = total
        except BaseException as exc:  # surfaced below: a thread must not swallow a failure
            errors.append(exc)

    threads = [threading.Thread(target=sender_thread, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    delivered = Counter(smtp.message_ids())
    assert delivered == Counter(ids)  # each exactly once, none lost
    assert sum(sent_by.values()) == 40
    assert all(sent_by.values()), sent_by  # both senders really took part
    assert {m.status for m in outbox()} == {"sent"}
    assert {m.attempts for m in outbox()} == {1}
