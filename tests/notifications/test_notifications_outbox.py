"""The transactional outbox: a transition and its messages commit together or not at all,
and each transition's ``notify`` roles decide who gets a message."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from notifications_support import make_nomination, outbox, queued_in_session
from sqlalchemy.orm import Session

from recognition import create_app
from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.notifications import operations
from recognition.notifications.operations import queue
from recognition.timeutil import utcnow
from recognition.workflow.engine import ConcurrentChange, fire
from recognition.workflow.history import WorkflowEvent


def _committed_events(object_type: str, object_id: int) -> list[str]:
    with Session(db.engine) as session:
        return list(
            session.scalars(
                sa.select(WorkflowEvent.transition).where(
                    WorkflowEvent.object_type == object_type, WorkflowEvent.object_id == object_id
                )
            )
        )


def _committed_state(nomination_id: int) -> str:
    with Session(db.engine) as session:
        return session.scalar(sa.select(Nomination.state).where(Nomination.id == nomination_id))


def _returnable():
    """A submitted nomination with one focal point, and an officer to return it."""
    focal = factories.make_user()
    city = factories.make_city(state="verified", members=[focal])
    nomination = make_nomination("submitted", city=city)
    officer = factories.make_secretariat()
    db.session.commit()
    return nomination, focal, officer


# -- one transaction ----------------------------------------------------------------------------


def test_messages_are_written_in_the_transitions_transaction(app):
    nomination, focal, officer = _returnable()
    fire(nomination, "return", officer, "Attach the council's letter.")
    assert [m.recipient_id for m in queued_in_session()] == [focal.id]
    assert outbox() == []  # nothing is visible outside the transaction before it commits


def test_a_committed_transition_has_its_history_and_its_messages(app):
    nomination, focal, officer = _returnable()
    fire(nomination, "return", officer, "Attach the council's letter.")
    db.session.commit()
    assert _committed_state(nomination.id) == "returned"
    assert _committed_events("nomination", nomination.id) == ["return"]
    assert [m.recipient_id for m in outbox()] == [focal.id]


def test_a_rolled_back_transition_leaves_no_message(app):
    nomination, _focal, officer = _returnable()
    fire(nomination, "return", officer, "Attach the council's letter.")
    db.session.rollback()
    assert outbox() == []
    assert _committed_events("nomination", nomination.id) == []
    assert _committed_state(nomination.id) == "submitted"


def test_a_stale_expected_version_queues_nothing(app):
    nomination, _focal, officer = _returnable()
    with pytest.raises(ConcurrentChange):
        fire(nomination, "return", officer, "Late.", expected_version=nomination.version - 1)
    assert queued_in_session() == []


def test_a_concurrent_change_leaves_no_message(app):
    """Another connection moved the nomination on: the loser's messages vanish with it."""
    nomination, _focal, officer = _returnable()
    nomination_id = nomination.id
    with Session(db.engine) as other:
        other.execute(
            sa.update(Nomination.__table__)
            .where(Nomination.__table__.c.id == nomination_id)
            .values(state="under_review", version=Nomination.__table__.c.version + 1)
        )
        other.commit()
    with pytest.raises(ConcurrentChange):
        fire(nomination, "return", officer, "Attach the council's letter.")
    db.session.rollback()
    assert outbox() == []
    assert _committed_events("nomination", nomination_id) == []


def test_a_message_that_cannot_be_written_stops_the_transition(app, monkeypatch):
    """No transition without its messages: a failure to queue fails fire() itself."""
    nomination, _focal, officer = _returnable()

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(operations, "render_template", broken)
    with pytest.raises(RuntimeError, match="template missing"):
        fire(nomination, "return", officer, "Attach the council's letter.")
    db.session.rollback()
    assert _committed_state(nomination.id) == "submitted"
    assert _committed_events("nomination", nomination.id) == []


def test_another_app_in_the_process_does_not_double_the_messages(app, tmp_path):
    """The engine's signal is process-wide: each create_app() must not add a receiver."""
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "RECOGNITION_UPLOAD_FOLDER": str(tmp_path)})
    nomination, focal, officer = _returnable()
    fire(nomination, "return", officer, "Attach the council's letter.")
    db.session.commit()
    assert [m.recipient_id for m in outbox()] == [focal.id]


def test_a_transition_without_notify_queues_nothing(app):
    nomination, _focal, officer = _returnable()
    fire(nomination, "accept", officer)
    db.session.commit()
    assert outbox() == []


# -- who is told ----------------------------------------------------------------------------------


class World:
    """Two focal points of the city, two officers, a reviewer, and bystanders of each kind."""

    def __init__(self):
        self.focal = [factories.make_user(), factories.make_user()]
        self.city = factories.make_city(state="verified", members=self.focal)
        self.officers = [factories.make_secretariat(), factories.make_secretariat()]
        self.reviewer = factories.make_reviewer()
        # Bystanders: another city's focal point, another reviewer, an admin.
        factories.make_focal_point()
        factories.make_reviewer()
        factories.make_user(roles=("admin",))

    def people(self, role: str) -> set[int]:
        return {
            "member": {u.id for u in self.focal},
            "owner": {u.id for u in self.focal},
            "secretariat": {u.id for u in self.officers},
            "assignee": {self.reviewer.id},
        }[role]


def _city(world, state):
    city = world.city
    city.state = state
    return city


def _nomination(world, state):
    decided = {"decided_by_id": world.officers[0].id, "decided_at": utcnow()}
    nomination = make_nomination(state, city=world.city, **decided)
    if state in ("under_review", "shortlisted", "recognised"):
        factories.make_assignment(nomination, world.reviewer, state="submitted")
    return nomination


def _assignment(world, state):
    nomination = make_nomination("under_review", city=world.city)
    return factories.make_assignment(nomination, world.reviewer, state=state)


#: (object builder, its state, transition, who fires it, comment) -> who is told.
NOTIFY = [
    ("city", "pending", "verify", "secretariat", None, {"member"}),
    ("city", "pending", "reject", "secretariat", "Not a city.", {"member"}),
    ("city", "verified", "suspend", "secretariat", "Inactive.", {"member"}),
    ("city", "suspended", "reinstate", "secretariat", None, {"member"}),
    ("nomination", "draft", "submit", "owner", None, {"owner", "secretariat"}),
    ("nomination", "returned", "resubmit", "owner", None, {"owner", "secretariat"}),
    ("nomination", "submitted", "return", "secretariat", "Add a letter.", {"owner"}),
    ("nomination", "submitted", "declare_ineligible", "secretariat", "Too late.", {"owner"}),
    ("nomination", "submitted", "accept", "secretariat", None, set()),
    ("nomination", "under_review", "shortlist", "secretariat", None, set()),
    # A decision is told with the call's announcement, not when it is recorded.
    ("nomination", "under_review", "recognise", "secretariat", None, set()),
    ("nomination", "under_review", "not_recognise", "secretariat", None, set()),
    ("nomination", "recognised", "announce", "secretariat", None, {"owner"}),
    ("nomination", "not_recognised", "inform", "secretariat", None, {"owner"}),
    ("nomination", "submitted", "withdraw", "owner", None, {"secretariat"}),
    ("review", "invited", "accept", "assignee", None, set()),
    ("review", "invited", "decline", "assignee", None, {"secretariat"}),
    ("review", "accepted", "declare_conflict", "assignee", "My brother.", {"secretariat"}),
    ("review", "accepted", "withdraw", "secretariat", None, {"assignee"}),
]
BUILDERS = {"city": _city, "nomination": _nomination, "review": _assignment}


@pytest.mark.parametrize(
    ("kind", "state", "transition", "actor", "comment", "told"),
    NOTIFY,
    ids=[f"{row[0]}-{row[2]}" for row in NOTIFY],
)
def test_a_transition_tells_the_roles_it_names(app, kind, state, transition, actor, comment, told):
    world = World()
    obj = BUILDERS[kind](world, state)
    if transition == "declare_conflict":
        obj.conflict_reason = comment
    by = {"secretariat": world.officers[0], "owner": world.focal[0], "assignee": world.reviewer}
    decision = {"level": "merit"} if transition == "recognise" else None  # a Sasakawa Award
    fire(obj, transition, by[actor], comment, data=decision)
    db.session.commit()
    expected = set().union(*(world.people(role) for role in told))
    recipients = [m.recipient_id for m in outbox()]
    assert sorted(recipients) == sorted(expected)


def test_the_focal_point_who_submits_gets_the_confirmation(app):
    world = World()
    nomination = _nomination(world, "draft")
    fire(nomination, "submit", world.focal[0])
    db.session.commit()
    assert world.focal[0].id in {m.recipient_id for m in outbox()}


def test_inactive_users_are_not_told(app):
    world = World()
    world.focal[1].active = False
    world.officers[1].active = False
    nomination = _nomination(world, "submitted")
    fire(nomination, "withdraw", world.focal[0])
    city = _city(world, "pending")
    fire(city, "verify", world.officers[0])
    db.session.commit()
    recipients = {m.recipient_id for m in outbox()}
    assert recipients == {world.focal[0].id, world.officers[0].id}


def test_each_recipient_is_told_once_even_with_two_roles(app):
    """A focal point who is also in the secretariat gets one message, not two."""
    world = World()
    both = world.focal[1]
    both.grant("secretariat")
    db.session.flush()
    nomination = _nomination(world, "draft")
    fire(nomination, "submit", world.focal[0])
    db.session.commit()
    recipients = [m.recipient_id for m in outbox()]
    assert recipients.count(both.id) == 1


# -- the message itself ---------------------------------------------------------------------------


def test_every_message_gets_its_own_well_formed_message_id(app):
    user = factories.make_user()
    ids = [
        queue(user, "transition", "Hello", opening="Hi.", comment=None, show_comment=True)
        for _ in range(3)
    ]
    message_ids = [m.message_id for m in ids]
    assert len(set(message_ids)) == 3
    assert all(re.fullmatch(r"<[0-9a-f]{32}@[^@<>\s]+>", m) for m in message_ids)


def test_a_message_id_names_the_sites_domain(app, monkeypatch):
    monkeypatch.setitem(
        app.config, "RECOGNITION_BASE_URL", "https://recognition.undrr.example:8443/"
    )
    user = factories.make_user()
    message = queue(user, "transition", "Hello", opening="Hi.", comment=None, show_comment=True)
    assert message.message_id.endswith("@recognition.undrr.example>")


def test_the_same_dedupe_key_queues_one_message(app):
    user = factories.make_user()
    first = queue(
        user, "transition", "Hi", dedupe_key="k1", opening="x", comment=None, show_comment=True
    )
    second = queue(
        user, "transition", "Hi", dedupe_key="k1", opening="x", comment=None, show_comment=True
    )
    assert first is not None
    assert second is None
    assert len(queued_in_session()) == 1


def test_a_message_records_recipient_address_language_and_template(app):
    user = factories.make_user(email="ana@example.org", locale="es")
    message = queue(user, "transition", "Hola", opening="x", comment=None, show_comment=True)
    assert (message.recipient_id, message.to_email, message.locale, message.template) == (
        user.id,
        "ana@example.org",
        "es",
        "transition",
    )
    assert (message.status, message.attempts) == ("queued", 0)
