"""A mail server that accepts connections and never answers: the sender gives up after
RECOGNITION_MAIL_TIMEOUT, and while it waits it holds no row lock, so users open their
notifications and mark them read without waiting for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import factories
import pytest
import sqlalchemy as sa
from notifications_support import outbox
from sqlalchemy.orm import Session

from recognition.extensions import db
from recognition.notifications.models import OutboxMessage
from recognition.notifications.operations import queue
from recognition.notifications.sender import send_due


class Background:
    """Run ``function`` in a thread with an app context of its own (its own db session)."""

    def __init__(self, app, function: Callable[[], Any]) -> None:
        self.app, self.function = app, function
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            with self.app.app_context():
                try:
                    self.result = self.function()
                finally:
                    db.session.remove()
        except BaseException as exc:  # surfaced by the test: a thread must not swallow it
            self.error = exc

    def start(self) -> Background:
        self.thread.start()
        return self

    def finished_within(self, seconds: float) -> bool:
        self.thread.join(timeout=seconds)
        return not self.thread.is_alive()

    @property
    def running(self) -> bool:
        return self.thread.is_alive()


def note(user) -> OutboxMessage:
    return queue(user, "transition", "News", opening="News.", comment=None, show_comment=True)


def test_the_sender_gives_up_on_a_hung_server_after_the_timeout(app, smtp_hung, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_TIMEOUT", 1)
    note(factories.make_user())
    db.session.commit()
    started = time.monotonic()
    sender = Background(app, send_due).start()
    try:
        assert sender.finished_within(5), "the sender still waits for a server that never answers"
        elapsed = time.monotonic() - started
    finally:
        smtp_hung.stop()  # an old sender stuck on the socket is released, then joined
        sender.finished_within(30)
    assert sender.error is None
    assert sender.result == {"sent": 0, "retry": 1, "failed": 0}
    assert 1 <= elapsed < 4
    (stored,) = outbox()
    assert (stored.status, stored.attempts) == ("queued", 1)
    assert "timed out" in stored.last_error
    assert (stored.lease_owner, stored.lease_until) == (None, None)


@pytest.mark.postgres_only
def test_while_the_sender_waits_for_a_hung_server_users_read_their_notifications(
    app, smtp_hung, login_as, monkeypatch
):
    """Row locks are PostgreSQL's: a sender holding them across the SMTP wait made opening a
    notification and "mark all read" wait for it (and fail)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: row locks held across network I/O")
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_TIMEOUT", 2)
    user = factories.make_user()
    first, _second = note(user), note(user)
    db.session.commit()
    client = login_as(user)
    sender = Background(app, send_due).start()
    requests: list[Background] = []
    try:
        assert smtp_hung.connected.wait(5), "the sender never connected"

        opened = Background(app, lambda: client.get(f"/notifications/{first.id}")).start()
        requests.append(opened)
        assert opened.finished_within(1.5), "opening a notification waits for the sender"
        assert opened.error is None and opened.result.status_code == 200

        marked = Background(app, lambda: client.post("/notifications/read")).start()
        requests.append(marked)
        assert marked.finished_within(1.5), "mark all read waits for the sender"
        assert marked.error is None and marked.result.status_code == 302

        with Session(db.engine) as other:  # no row of the outbox is locked: NOWAIT succeeds
            other.execute(sa.select(OutboxMessage.id).with_for_update(nowait=True)).all()
            other.rollback()

        assert sender.running  # all of it happened while the sender waited for the server
    finally:
        smtp_hung.stop()
        for thread in (sender, *requests):
            thread.finished_within(60)
    assert sender.error is None
    assert sender.result == {"sent": 0, "retry": 2, "failed": 0}
    stored = outbox()
    assert all(m.read_at is not None for m in stored)  # the outcomes did not undo the reading
    assert [(m.status, m.attempts) for m in stored] == [("queued", 1)] * 2
