"""Optimistic locking and bulk transitions: a stale version is a ConcurrentChange, never a
second history row; fire_many() isolates each object in its own savepoint."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import factories
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from workflow_support import history, make_nomination

from recognition.accounts.models import City, User
from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.notifications.models import OutboxMessage
from recognition.workflow.engine import (
    CONCURRENT_MESSAGE,
    ConcurrentChange,
    fire,
    fire_many,
)
from recognition.workflow.history import WorkflowEvent


def _events_in_database(nomination_id: int) -> list[tuple[str, str]]:
    with Session(db.engine) as session:
        return list(
            session.execute(
                sa.select(WorkflowEvent.transition, WorkflowEvent.to_state)
                .where(
                    WorkflowEvent.object_type == "nomination",
                    WorkflowEvent.object_id == nomination_id,
                )
                .order_by(WorkflowEvent.id)
            ).tuples()
        )


def _state_in_database(nomination_id: int) -> tuple[str, int]:
    with Session(db.engine) as session:
        return (
            session.execute(
                sa.select(Nomination.state, Nomination.version).where(
                    Nomination.id == nomination_id
                )
            )
            .one()
            ._tuple()
        )


# -- expected_version ------------------------------------------------------------------------


def test_a_stale_expected_version_is_a_concurrent_change(app):
    nomination = make_nomination("submitted")
    officer = factories.make_secretariat()
    with pytest.raises(ConcurrentChange) as caught:
        fire(nomination, "accept", officer, expected_version=nomination.version - 1)
    assert caught.value.message == CONCURRENT_MESSAGE
    assert caught.value.status == 409
    assert nomination.state == "submitted"
    assert history(nomination) == []


def test_the_current_expected_version_fires(app):
    nomination = make_nomination("submitted")
    version = nomination.version
    fire(nomination, "accept", factories.make_secretariat(), expected_version=version)
    assert (nomination.state, nomination.version) == ("under_review", version + 1)


def test_a_row_changed_behind_the_sessions_back_is_a_concurrent_change(app):
    """The version column catches a change the session did not see, at flush time."""
    nomination = make_nomination("submitted")
    officer = factories.make_secretariat()
    db.session.execute(
        sa.update(Nomination.__table__)
        .where(Nomination.__table__.c.id == nomination.id)
        .values(version=Nomination.__table__.c.version + 1)
    )
    with pytest.raises(ConcurrentChange) as caught:
        fire(nomination, "accept", officer)
    assert caught.value.detail == "stale row"
    db.session.rollback()


# -- fire_many -------------------------------------------------------------------------------


def test_fire_many_reports_each_object_and_keeps_refusals_unchanged(app):
    officer = factories.make_secretariat()
    first = make_nomination("submitted")
    draft = make_nomination("draft")
    stale = make_nomination("submitted")
    last = make_nomination("submitted")
    # Someone else moved ``stale`` on: its flush will fail inside fire_many's savepoint.
    db.session.execute(
        sa.update(Nomination.__table__)
        .where(Nomination.__table__.c.id == stale.id)
        .values(version=Nomination.__table__.c.version + 1)
    )

    results = fire_many([first, draft, stale, last], "accept", officer, "Bulk screening.")

    assert [(r.obj, r.done) for r in results] == [
        (first, True),
        (draft, False),
        (stale, False),
        (last, True),
    ]
    assert results[0].message is None and results[3].message is None
    assert "not possible while the item is “Draft”" in str(results[1].message)
    assert results[2].message == CONCURRENT_MESSAGE

    db.session.commit()
    assert _state_in_database(first.id)[0] == "under_review"
    assert _state_in_database(last.id)[0] == "under_review"
    assert _state_in_database(draft.id) == ("draft", 1)
    assert _state_in_database(stale.id) == ("submitted", 2)  # as the other writer left it
    assert _events_in_database(first.id) == [("accept", "under_review")]
    assert _events_in_database(last.id) == [("accept", "under_review")]
    assert _events_in_database(draft.id) == []
    assert _events_in_database(stale.id) == []


def test_fire_many_refuses_what_the_actor_may_not_do(app):
    owner_city = factories.make_city()
    nominations = [make_nomination("submitted", city=owner_city)]
    nominations.append(make_nomination("submitted"))
    focal_point = factories.make_focal_point(city=owner_city)
    results = fire_many(nominations, "accept", focal_point)
    assert [r.done for r in results] == [False, False]
    assert {str(r.message) for r in results} == {"You are not allowed to do this."}
    assert [n.state for n in nominations] == ["submitted", "submitted"]


# -- two real connections --------------------------------------------------------------------


def _setup_submitted(app):
    nomination = make_nomination("submitted")
    officer = factories.make_secretariat()
    db.session.commit()
    return nomination.id, officer.id


@contextlib.contextmanager
def _using(session: Session) -> Iterator[Session]:
    """Make ``db.session`` the given session for a block (fire() writes through it)."""
    saved = db.session.registry()
    db.session.registry.set(session)
    try:
        yield session
    finally:
        db.session.registry.set(saved)


def test_the_second_of_two_sessions_gets_a_concurrent_change(app):
    """Two sessions read the same version; the one that writes second loses."""
    nomination_id, officer_id = _setup_submitted(app)
    with Session(db.engine) as first, Session(db.engine) as second:
        mine = first.get(Nomination, nomination_id)
        theirs = second.get(Nomination, nomination_id)
        assert mine.version == theirs.version == 1
        first_officer = first.get(User, officer_id)
        second_officer = second.get(User, officer_id)

        # fire() writes through db.session: run each side in a scope bound to its session.
        with _using(first):
            fire(mine, "accept", first_officer)
        first.commit()
        with _using(second), pytest.raises(ConcurrentChange):
            fire(theirs, "return", second_officer, "Add the letter.")
        second.rollback()

    assert _state_in_database(nomination_id) == ("under_review", 2)
    assert _events_in_database(nomination_id) == [("accept", "under_review")]


@pytest.mark.postgres_only
def test_two_threads_racing_on_postgresql(app):
    """Both read, then both write: exactly one wins, the other gets ConcurrentChange."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers")
    nomination_id, officer_id = _setup_submitted(app)
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def race(name: str, comment: str | None) -> None:
        try:
            with app.app_context():  # a new app context: its own db.session and connection
                nomination = db.session.get(Nomination, nomination_id)
                officer = db.session.get(User, officer_id)
                assert nomination.state == "submitted"
                barrier.wait()  # both have read version 1 before either writes
                try:
                    fire(nomination, name, officer, comment)
                    db.session.commit()
                    outcomes[name] = "done"
                except ConcurrentChange:
                    db.session.rollback()
                    outcomes[name] = "conflict"
                finally:
                    db.session.remove()
        except BaseException as exc:  # surfaced below: a thread must not swallow a failure
            errors.append(exc)

    threads = [
        threading.Thread(target=race, args=("accept", None)),
        threading.Thread(target=race, args=("return", "Add the letter.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(outcomes.values()) == ["conflict", "done"]

    winner = next(name for name, outcome in outcomes.items() if outcome == "done")
    expected_state = {"accept": "under_review", "return": "returned"}[winner]
    assert _state_in_database(nomination_id) == (expected_state, 2)
    assert _events_in_database(nomination_id) == [(winner, expected_state)]


def _statements_of(action) -> list[str]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_fire_many_writes_all_at_once_whatever_their_number(app):
    """Without an operation or a quota, the states move in one UPDATE and the history in one
    INSERT, in one savepoint, however many objects (what listeners do is their own)."""
    officer = factories.make_secretariat()
    for n in (3, 30):
        ids = [factories.make_city(state="pending").id for _ in range(n)]
        db.session.commit()
        cities = db.session.scalars(sa.select(City).where(City.id.in_(ids))).all()
        statements = _statements_of(lambda cities=cities: fire_many(cities, "verify", officer))
        db.session.commit()
        assert all(c.state == "verified" and c.version == 2 for c in cities)
        assert [e.transition for c in cities for e in history(c)] == ["verify"] * n
        kinds = [s.split()[0] + " " + s.split()[1] for s in statements]
        assert kinds.count("UPDATE cities") == 1
        assert kinds.count("INSERT INTO") == 1 and "INSERT INTO workflow_events" in "".join(
            s for s in statements if s.startswith("INSERT")
        )
        assert sum(s.startswith("SAVEPOINT") for s in statements) == 1


def test_a_bulk_action_reads_the_people_to_notify_once_whatever_their_number(app):
    """Verifying cities tells their members: the members of every city are read in one
    statement, and the actor's roles once, however many cities."""
    officer = factories.make_secretariat()
    reads = []
    for n in (3, 30):
        members = [factories.make_user() for _ in range(n)]
        ids = [factories.make_city(state="pending", members=[m]).id for m in members]
        db.session.commit()
        cities = db.session.scalars(sa.select(City).where(City.id.in_(ids))).all()
        statements = _statements_of(lambda cities=cities: fire_many(cities, "verify", officer))
        db.session.commit()
        reads.append([s for s in statements if s.startswith("SELECT")])
        told = db.session.scalars(
            sa.select(OutboxMessage.recipient_id).where(
                OutboxMessage.recipient_id.in_([m.id for m in members])
            )
        ).all()
        assert sorted(told) == sorted(m.id for m in members)
    assert len(reads[0]) == len(reads[1]), reads
