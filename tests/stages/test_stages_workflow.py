"""The city's moves: asked for with the evidence, confirmed or refused (with a reason, back to
where it was) by the secretariat, one stage after the other; every move in the history."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from stages_support import NOTE, field_error, request_data, stage_at, text_of

from recognition.extensions import db
from recognition.notifications.models import OutboxMessage
from recognition.stages.demo import DEMO_STAGES, load_demo_stages
from recognition.stages.models import stage_of_city
from recognition.workflow.engine import WrongState, fire
from recognition.workflow.history import WorkflowEvent, history_of


def _messages(user) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.subject)
            .where(OutboxMessage.recipient_id == user.id)
            .order_by(OutboxMessage.id)
        )
    )


def _decide(client, stage, transition, comment=""):
    return client.post(
        f"/stages/{stage.id}/decide/{transition}",
        data={f"{transition}-comment": comment, f"{transition}-version": stage.version},
    )


def test_a_city_joins_by_asking_for_stage_a(client, login_as, people):
    login_as(people.focal)
    page = client.get(f"/stages/cities/{people.city.id}")
    assert page.status_code == 200
    assert "Not yet joined" in text_of(page)
    assert "Ask for stage A" in text_of(page)

    response = client.post(f"/stages/cities/{people.city.id}/request", data=request_data())

    stage = stage_of_city(people.city.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/stages/{stage.id}")
    assert stage.state == "a_requested"
    assert stage.note == NOTE
    assert stage.requested_by_id == people.focal.id
    assert [(e.transition, e.to_state) for e in history_of(stage)] == [
        ("create", "enrolled"),
        ("request_a", "a_requested"),
    ]
    assert history_of(stage)[-1].comment == NOTE
    assert _messages(people.officer) == ["Stage A requested: Quito"]


def test_the_secretariat_confirms_and_the_city_is_told(client, login_as, people):
    stage = stage_at(people.city, "a_requested", note=NOTE)
    db.session.commit()
    login_as(people.officer)
    page = client.get(f"/stages/{stage.id}")
    assert "Confirm stage A" in text_of(page)
    assert NOTE in text_of(page)

    response = _decide(client, stage, "confirm_a")

    assert response.status_code == 302
    db.session.refresh(stage)
    assert stage.state == "stage_a"
    assert history_of(stage)[-1].actor_id == people.officer.id
    assert _messages(people.focal) == ["Stage A confirmed: Quito"]


@pytest.mark.parametrize(
    ("requested", "refuse", "back_to"),
    [
        ("a_requested", "refuse_a", "enrolled"),
        ("b_requested", "refuse_b", "stage_a"),
        ("c_requested", "refuse_c", "stage_b"),
    ],
)
def test_a_refusal_says_why_and_goes_back(client, login_as, people, requested, refuse, back_to):
    stage = stage_at(people.city, requested, note=NOTE)
    db.session.commit()
    login_as(people.officer)

    response = _decide(client, stage, refuse, "The plan is not adopted by the council yet.")

    assert response.status_code == 302
    db.session.refresh(stage)
    assert stage.state == back_to
    event = history_of(stage)[-1]
    assert (event.transition, event.comment) == (
        refuse,
        "The plan is not adopted by the council yet.",
    )
    assert len(_messages(people.focal)) == 1


def test_a_refusal_without_a_reason_is_refused_beside_the_field(client, login_as, people):
    stage = stage_at(people.city, "b_requested", note=NOTE)
    db.session.commit()
    login_as(people.officer)

    response = _decide(client, stage, "refuse_b", "   ")

    assert response.status_code == 400
    assert field_error(response, "refuse_b-comment") == "Say why: the city reads the reason."
    db.session.refresh(stage)
    assert stage.state == "b_requested"
    assert len(history_of(stage)) == 0


def test_the_next_request_follows_a_confirmed_stage(client, login_as, people):
    stage = stage_at(people.city, "stage_a")
    db.session.commit()
    login_as(people.focal)
    page = text_of(client.get(f"/stages/{stage.id}"))
    assert "Ask for stage B" in page
    assert "Ask for stage C" not in page

    response = client.post(
        f"/stages/cities/{people.city.id}/request", data=request_data(version=stage.version)
    )

    assert response.status_code == 302
    db.session.refresh(stage)
    assert stage.state == "b_requested"


@pytest.mark.parametrize(
    ("state", "transition"),
    [
        ("enrolled", "request_b"),
        ("enrolled", "request_c"),
        ("stage_a", "request_c"),
        ("a_requested", "confirm_b"),
        ("b_requested", "confirm_c"),
        ("stage_a", "confirm_b"),
    ],
)
def test_no_stage_is_skipped(app, people, state, transition):
    stage = stage_at(people.city, state)
    actor = people.focal if transition.startswith("request") else people.officer
    with pytest.raises(WrongState):
        fire(stage, transition, actor, "skip")
    assert stage.state == state


def test_at_stage_c_there_is_nothing_to_ask(client, login_as, people):
    stage = stage_at(people.city, "stage_c")
    db.session.commit()
    login_as(people.focal)
    assert "Ask for stage" not in text_of(client.get(f"/stages/{stage.id}"))
    response = client.post(
        f"/stages/cities/{people.city.id}/request", data=request_data(version=stage.version)
    )
    assert response.status_code == 403


def test_a_request_while_one_waits_is_not_offered(client, login_as, people):
    stage = stage_at(people.city, "b_requested")
    db.session.commit()
    login_as(people.focal)
    response = client.post(
        f"/stages/cities/{people.city.id}/request", data=request_data(version=stage.version)
    )
    assert response.status_code == 403
    db.session.refresh(stage)
    assert stage.state == "b_requested"


def test_a_request_on_a_page_seen_before_someone_else_asked_is_a_conflict(client, login_as, people):
    """The page showed "not yet joined"; another focal point asked meanwhile."""
    stage = stage_at(people.city, "stage_a")
    db.session.commit()
    login_as(people.focal)
    response = client.post(
        f"/stages/cities/{people.city.id}/request", data=request_data(version=stage.version - 1)
    )
    assert response.status_code == 409
    db.session.refresh(stage)
    assert stage.state == "stage_a"


def test_an_unverified_city_cannot_ask(client, login_as, db):
    focal = factories.make_user()
    city = factories.make_city(state="pending", members=[focal])
    db.session.commit()
    login_as(focal)
    page = text_of(client.get(f"/stages/cities/{city.id}"))
    assert "The city must be verified by the secretariat first." in page
    response = client.post(f"/stages/cities/{city.id}/request", data=request_data())
    assert response.status_code == 400
    assert stage_of_city(city.id) is None


def test_the_secretariat_can_record_that_a_city_joined(client, login_as, people):
    login_as(people.officer)
    page = text_of(client.get(f"/stages/cities/{people.city.id}"))
    assert "Record that the city has joined" in page
    assert "Ask for stage A" not in page

    response = client.post(f"/stages/cities/{people.city.id}/join")

    stage = stage_of_city(people.city.id)
    assert response.status_code == 302
    assert stage.state == "enrolled"
    assert [e.transition for e in history_of(stage)] == ["create"]


def test_the_whole_way_to_stage_c_is_in_the_history(client, login_as, people):
    for step in "abc":
        login_as(people.focal)
        stage = stage_of_city(people.city.id)
        data = request_data(version=stage.version if stage else None)
        assert client.post(f"/stages/cities/{people.city.id}/request", data=data).status_code == 302
        login_as(people.officer)
        stage = stage_of_city(people.city.id)
        assert _decide(client, stage, f"confirm_{step}").status_code == 302
    stage = stage_of_city(people.city.id)
    assert stage.state == "stage_c"
    assert [e.to_state for e in history_of(stage)] == [
        "enrolled",
        "a_requested",
        "stage_a",
        "b_requested",
        "stage_b",
        "c_requested",
        "stage_c",
    ]


def test_the_demo_stages_load_once(app, db):
    officer = factories.make_secretariat()
    cities = {}
    for name in ("Makati", "Amman", "Quito", "Dakar", "Almaty", "Chengdu"):
        cities[name] = factories.make_city(name, members=[factories.make_user()])
    load_demo_stages(officer)
    db.session.commit()
    states = {name: getattr(stage_of_city(c.id), "state", None) for name, c in cities.items()}
    assert states == {
        "Makati": "stage_c",
        "Amman": "stage_c",
        "Quito": "stage_b",
        "Dakar": "stage_a",
        "Almaty": "a_requested",
        "Chengdu": None,
    }
    almaty = stage_of_city(cities["Almaty"].id)
    assert almaty.filename == "scorecard-self-assessment.pdf"
    events = db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowEvent))

    load_demo_stages(officer)
    db.session.commit()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowEvent)) == events
    assert {
        name: getattr(stage_of_city(c.id), "state", None) for name, c in cities.items()
    } == states
    assert set(DEMO_STAGES) < set(cities)
