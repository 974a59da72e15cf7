"""Mail exactly once: a sender leases what it claims and commits each message's outcome as it
goes, so a sender killed mid-batch, or a database lost mid-batch, sends again at most the
message in flight; what a dead sender had claimed goes out once its lease expires."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import factories
import pytest
import sqlalchemy as sa
from notifications_support import outbox

from recognition.extensions import db
from recognition.notifications.operations import queue
from recognition.notifications.sender import claim, send_due
from recognition.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]
NOTHING = {"sent": 0, "retry": 0, "failed": 0}


def fill(count: int) -> list[str]:
    """Queue ``count`` messages (committed); their Message-IDs in queue order."""
    user = factories.make_user()
    ids = [
        queue(user, "transition", f"News {n}", opening="News.", comment=None, show_comment=True)
        for n in range(count)
    ]
    db.session.commit()
    return [message.message_id for message in ids]


def after_the_lease(app) -> object:
    """A moment when every lease taken now has expired."""
    return utcnow() + timedelta(seconds=app.config["RECOGNITION_MAIL_LEASE_SECONDS"] + 1)


def statuses() -> list[str]:
    return [m.status for m in outbox()]


def test_each_outcome_is_committed_before_the_next_message_is_sent(app, smtp):
    fill(3)
    seen: list[list[str]] = []

    def look(count: int) -> None:  # the server holds message ``count``: what is committed?
        with app.app_context():
            seen.append(statuses())

    smtp.handler.on_receive = look
    assert send_due() == {"sent": 3, "retry": 0, "failed": 0}
    assert seen == [
        ["queued", "queued", "queued"],
        ["sent", "queued", "queued"],
        ["sent", "sent", "queued"],
    ]


def test_a_claim_is_committed_with_its_lease_before_anything_is_sent(app, smtp):
    fill(2)
    leases: list[list[tuple]] = []

    def look(count: int) -> None:
        with app.app_context():
            leases.append([(bool(m.lease_owner), bool(m.lease_until)) for m in outbox()])

    smtp.handler.on_receive = look
    send_due()
    # While the first message is sent, both are leased: the second waits for this sender.
    assert leases[0] == [(True, True), (True, True)]
    assert [(m.lease_owner, m.lease_until) for m in outbox()] == [(None, None)] * 2


def test_what_a_dead_sender_claimed_goes_out_once_its_lease_expires(app, smtp):
    ids = fill(3)
    lease = timedelta(seconds=app.config["RECOGNITION_MAIL_LEASE_SECONDS"])
    assert len(claim(10, utcnow(), "a-sender-that-died", lease)) == 3
    assert send_due() == NOTHING  # leased: not taken from a sender that may still be alive
    assert smtp.message_ids() == []
    assert send_due(now=after_the_lease(app)) == {"sent": 3, "retry": 0, "failed": 0}
    assert smtp.message_ids() == ids


def test_a_message_another_sender_took_over_is_left_to_it(app, smtp, caplog):
    """This sender's lease expired while it sent the first message and another sender claimed
    both: this one neither records the first nor sends the second."""
    ids = fill(2)
    lease = timedelta(seconds=app.config["RECOGNITION_MAIL_LEASE_SECONDS"])

    def take_over(count: int) -> None:
        with app.app_context():
            claim(10, utcnow() + 2 * lease, "another-sender", lease)

    smtp.handler.on_receive = take_over
    assert send_due() == NOTHING
    assert smtp.message_ids() == ids[:1]
    assert [(m.status, m.attempts, m.lease_owner) for m in outbox()] == [
        ("queued", 0, "another-sender")
    ] * 2
    assert "another sender has it" in caplog.text


def test_an_outcome_lost_with_the_database_sends_only_that_message_again(app, smtp, monkeypatch):
    """The commit after the second message fails (the database went away): the first stays
    sent, the second is sent again after its lease, the others are not held back."""
    ids = fill(4)
    lose_next_commit = threading.Event()
    smtp.handler.on_receive = lambda count: count == 2 and lose_next_commit.set()
    real_commit = db.session.commit

    def commit() -> None:
        if lose_next_commit.is_set():
            lose_next_commit.clear()
            raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", commit)
    with pytest.raises(sa.exc.OperationalError):
        send_due()
    assert smtp.message_ids() == ids[:2]
    assert statuses() == ["sent", "queued", "queued", "queued"]
    assert send_due() == {"sent": 2, "retry": 0, "failed": 0}  # the two not tried yet
    assert send_due(now=after_the_lease(app)) == {"sent": 1, "retry": 0, "failed": 0}
    assert Counter(smtp.message_ids()) == Counter(ids) + Counter([ids[1]])
    assert statuses() == ["sent"] * 4


def test_a_sender_killed_mid_batch_sends_again_at_most_the_message_in_flight(
    app, smtp, database_url, tmp_path
):
    """``flask outbox send`` in its own process, killed while the server holds the third
    message: delivered, but the sender has not heard so. That one goes out twice, no other."""
    ids = fill(6)
    smtp.handler.hold_at = 3
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RECOGNITION_INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "test-secret",
        "RECOGNITION_MAIL_HOST": "127.0.0.1",
        "RECOGNITION_MAIL_PORT": str(smtp.port),
        "RECOGNITION_MAIL_TIMEOUT": "5",
        "RECOGNITION_MAIL_LEASE_SECONDS": str(app.config["RECOGNITION_MAIL_LEASE_SECONDS"]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        if not smtp.handler.holding.wait(60):
            process.kill()
            pytest.fail(f"the sender never reached the third message: {process.stderr.read()}")
        process.kill()
        process.wait(timeout=10)
    finally:
        smtp.handler.release.set()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stderr.close()

    assert statuses() == ["sent", "sent"] + ["queued"] * 4
    assert all(m.lease_owner for m in outbox(status="queued"))
    assert send_due() == NOTHING  # still leased by the dead sender
    assert send_due(now=after_the_lease(app)) == {"sent": 4, "retry": 0, "failed": 0}
    assert Counter(smtp.message_ids()) == Counter(ids) + Counter([ids[2]])


# -- a real database outage (PostgreSQL: connections cut, new ones refused) ---------------------


@pytest.fixture
def database_outage(app):
    """``down()``: cut every connection to the test database and refuse new ones, as a
    restarting server does; ``up()`` ends it (and so does the end of the test)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: a database server to cut connections to")
    name = db.engine.url.database
    admin = sa.create_engine(db.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    class Outage:
        def down(self, refuse: bool = True) -> None:
            with admin.connect() as conn:
                if refuse:
                    conn.execute(sa.text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
                conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )

        def up(self) -> None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))

    outage = Outage()
    yield outage
    outage.up()
    admin.dispose()


@pytest.mark.postgres_only
def test_a_database_outage_mid_batch_sends_again_at_most_the_message_in_flight(
    app, smtp, database_outage
):
    ids = fill(5)
    smtp.handler.on_receive = lambda count: count == 3 and database_outage.down()
    with pytest.raises(sa.exc.OperationalError):
        send_due()
    assert smtp.message_ids() == ids[:3]  # the sender stopped at the first outcome it lost
    database_outage.up()
    assert statuses() == ["sent", "sent", "queued", "queued", "queued"]
    assert send_due() == NOTHING  # the sender could not hand its claim back: leases run out
    assert send_due(now=after_the_lease(app)) == {"sent": 3, "retry": 0, "failed": 0}
    assert Counter(smtp.message_ids()) == Counter(ids) + Counter([ids[2]])


@pytest.mark.postgres_only
def test_a_database_restart_while_the_server_is_talked_to_sends_each_message_once(
    app, smtp, database_outage
):
    """Connections cut while no transaction is open: the sender reconnects and goes on."""
    ids = fill(5)
    smtp.handler.on_receive = lambda count: count == 3 and database_outage.down(refuse=False)
    assert send_due() == {"sent": 5, "retry": 0, "failed": 0}
    assert send_due(now=after_the_lease(app)) == NOTHING
    assert Counter(smtp.message_ids()) == Counter(ids)
    assert statuses() == ["sent"] * 5
