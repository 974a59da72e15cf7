"""fire() and check() on every transition of nomination, review, call and city: who may fire
it, from where, with which comment and when its conditions hold — and that a refusal changes
nothing."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from workflow_support import (
    BREAKERS,
    DATA,
    DEFINITIONS,
    ROLES,
    allowed,
    history,
    make_nomination,
    make_object,
    make_user_with_role,
    stored_state,
)

from recognition.extensions import db
from recognition.workflow import guards
from recognition.workflow.engine import (
    CommentRequired,
    ConditionNotMet,
    NotAllowed,
    UnknownTransition,
    WrongState,
    available_transitions,
    check,
    describe,
    fire,
    transition_fired,
)
from recognition.workflow.history import WorkflowEvent
from recognition.workflow.registry import registry

FIRED = ("nomination", "review", "call", "city")


def _param(workflow, name, *rest):
    return pytest.param(workflow, name, *rest, id="-".join((workflow, name, *rest)))


def _first_allowed_role(workflow, name):
    return next(r for r in ROLES[workflow] if allowed(DEFINITIONS[workflow], name, r))


ALLOWED = [
    _param(workflow, t.id, source, role)
    for workflow in FIRED
    for t in DEFINITIONS[workflow].transitions.values()
    for source in t.sources
    for role in ROLES[workflow]
    if allowed(DEFINITIONS[workflow], t.id, role, source)
]
REFUSED = [
    _param(workflow, t.id, role)
    for workflow in FIRED
    for t in DEFINITIONS[workflow].transitions.values()
    for role in ROLES[workflow]
    if not allowed(DEFINITIONS[workflow], t.id, role)
]
WRONG_STATE = [
    _param(workflow, t.id, state)
    for workflow in FIRED
    for t in DEFINITIONS[workflow].transitions.values()
    for state in DEFINITIONS[workflow].states
    if state not in t.sources
]
COMMENT_REQUIRED = [
    _param(workflow, t.id)
    for workflow in FIRED
    for t in DEFINITIONS[workflow].transitions.values()
    if t.comment == "required"
]
CONDITIONS = [
    _param(workflow, t.id, rule.name)
    for workflow in FIRED
    for t in DEFINITIONS[workflow].transitions.values()
    for rule in t.guard.when
]


def _state(obj, workflow):
    return getattr(obj, DEFINITIONS[workflow].state_attribute)


def _assert_unchanged(obj, workflow, state):
    assert _state(obj, workflow) == state
    db.session.expire_all()  # forget in-memory changes; read what the database holds
    assert stored_state(obj) == state
    assert history(obj) == []


def test_every_transition_has_an_allowed_role_among_the_tested_users():
    for workflow in FIRED:
        for name in DEFINITIONS[workflow].transitions:
            assert any(allowed(DEFINITIONS[workflow], name, r) for r in ROLES[workflow]), name


@pytest.mark.parametrize(("workflow", "name", "source", "role"), ALLOWED)
def test_an_allowed_role_fires_and_one_event_is_written(
    rolled_back_app, workflow, name, source, role
):
    definition = DEFINITIONS[workflow]
    transition = definition.transitions[name]
    obj = make_object(workflow, source)
    actor = make_user_with_role(workflow, role, obj)
    version = obj.version

    data = DATA.get((workflow, name))
    checked = check(obj, name, actor, "Looks right.", data)
    assert checked.transition is registry().get(workflow).transitions[name]
    event = fire(obj, name, actor, "  Looks right.  ", data=data)

    assert _state(obj, workflow) == transition.dest
    assert obj.version == version + 1
    [row] = history(obj)
    assert row is event
    assert (
        row.workflow,
        row.object_type,
        row.object_id,
        row.transition,
        row.from_state,
        row.to_state,
        row.actor_id,
        row.comment,
    ) == (
        workflow,
        definition.applies_to,
        obj.id,
        name,
        source,
        transition.dest,
        getattr(actor, "id", None),  # time-driven transitions: fired by no one
        "Looks right.",
    )
    assert row.at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowEvent)) == 1
    db.session.expire_all()
    assert stored_state(obj) == transition.dest


@pytest.mark.parametrize(("workflow", "name", "role"), REFUSED)
def test_every_other_role_is_refused(rolled_back_app, workflow, name, role):
    source = DEFINITIONS[workflow].transitions[name].sources[0]
    obj = make_object(workflow, source)
    actor = make_user_with_role(workflow, role, obj)
    with pytest.raises(NotAllowed) as caught:
        check(obj, name, actor, "Please.")
    assert caught.value.status == 403
    with pytest.raises(NotAllowed):
        fire(obj, name, actor, "Please.")
    _assert_unchanged(obj, workflow, source)


@pytest.mark.parametrize(("workflow", "name", "state"), WRONG_STATE)
def test_a_wrong_source_state_is_refused(rolled_back_app, workflow, name, state):
    definition = DEFINITIONS[workflow]
    obj = make_object(workflow, state)
    actor = make_user_with_role(workflow, _first_allowed_role(workflow, name), obj)
    with pytest.raises(WrongState) as caught:
        fire(obj, name, actor, "Please.")
    assert definition.states[state].title in str(caught.value.message)
    assert caught.value.detail == f"not from state {state!r}"
    _assert_unchanged(obj, workflow, state)


@pytest.mark.parametrize("comment", [None, "", "  \n "], ids=["none", "empty", "blank"])
@pytest.mark.parametrize(("workflow", "name"), COMMENT_REQUIRED)
def test_a_required_comment_must_be_given(rolled_back_app, workflow, name, comment):
    source = DEFINITIONS[workflow].transitions[name].sources[0]
    obj = make_object(workflow, source)
    actor = make_user_with_role(workflow, _first_allowed_role(workflow, name), obj)
    with pytest.raises(CommentRequired) as caught:
        fire(obj, name, actor, comment)
    assert caught.value.status == 400
    assert str(caught.value.message) == "A comment is required for this action."
    _assert_unchanged(obj, workflow, source)


@pytest.mark.parametrize(("workflow", "name", "predicate"), CONDITIONS)
def test_a_failing_condition_is_refused_and_changes_nothing(
    rolled_back_app, workflow, name, predicate
):
    source = DEFINITIONS[workflow].transitions[name].sources[0]
    obj = make_object(workflow, source)
    actor = make_user_with_role(workflow, _first_allowed_role(workflow, name), obj)
    BREAKERS[predicate](obj)
    # Some breakages would be refused by the database itself: keep them out of it.
    with db.session.no_autoflush:
        reason = guards.get(predicate).func(obj, actor, {"transition": name})
        with pytest.raises(ConditionNotMet) as caught:
            fire(obj, name, actor, "Please.", data=DATA.get((workflow, name)))
    assert caught.value.detail == f"rule {predicate!r}"
    assert reason is not None
    assert str(reason) in str(caught.value.message)
    _assert_unchanged(obj, workflow, source)


def test_an_unknown_transition_is_refused(rolled_back_app):
    nomination = make_nomination("submitted")
    with pytest.raises(UnknownTransition) as caught:
        fire(nomination, "approve", factories.make_secretariat())
    assert caught.value.status == 404
    assert nomination.state == "submitted"


def test_an_override_reason_lets_the_secretariat_decide_without_reviews(rolled_back_app):
    nomination = make_nomination("under_review", reviewed=False)
    officer = factories.make_secretariat()
    with pytest.raises(ConditionNotMet) as caught:
        fire(nomination, "recognise", officer, data={"level": "merit"})
    assert str(caught.value.message) == (
        "Not all reviews are in. To go ahead anyway, give a reason: the history keeps it."
    )
    event = fire(
        nomination,
        "recognise",
        officer,
        data={"level": "merit", "override_reason": "The jury met."},
    )
    assert nomination.state == "recognised"
    assert event.data == {
        "award_level": "merit",
        "overridden": ["reviews_complete"],
        "override_reason": "The jury met.",
    }


def test_check_changes_nothing(rolled_back_app):
    nomination = make_nomination("submitted")
    officer = factories.make_secretariat()
    checked = check(nomination, "accept", officer)
    assert checked.transition.dest == "under_review"
    assert nomination.state == "submitted"
    assert history(nomination) == []


def test_the_shared_machines_hold_no_models_and_no_auto_transitions(rolled_back_app):
    nomination = make_nomination("submitted")
    fire(nomination, "accept", factories.make_secretariat())
    for workflow_id, machine in registry().machines.items():
        definition = registry().get(workflow_id)
        assert machine.models == []
        assert set(machine.events) == set(definition.transitions)
    assert not hasattr(nomination, "to_draft")
    assert not hasattr(nomination, "trigger")


def test_fire_announces_the_transition_once(rolled_back_app):
    nomination = make_nomination("submitted")
    officer = factories.make_secretariat()
    received = []

    def listener(sender, **kwargs):
        received.append((sender, kwargs["transition"].id, kwargs["event"], kwargs["actor"]))

    with transition_fired.connected_to(listener):
        event = fire(nomination, "accept", officer)
    assert received == [(nomination, "accept", event, officer)]


def test_refusals_announce_nothing(rolled_back_app):
    nomination = make_nomination("submitted")
    received = []
    with (
        transition_fired.connected_to(lambda sender, **kw: received.append(sender)),
        pytest.raises(NotAllowed),
    ):
        fire(nomination, "accept", factories.make_reviewer())
    assert received == []


def test_a_sequence_of_transitions_is_recorded_in_order(rolled_back_app):
    nomination = make_nomination("submitted", reviewed=True)
    officer = factories.make_secretariat()
    fire(nomination, "accept", officer)
    fire(nomination, "return", officer, "Add the letter.")
    fire(nomination, "withdraw", factories.make_focal_point(city=nomination.city))
    rows = history(nomination)
    assert [(r.transition, r.from_state, r.to_state) for r in rows] == [
        ("accept", "submitted", "under_review"),
        ("return", "under_review", "returned"),
        ("withdraw", "returned", "withdrawn"),
    ]
    assert nomination.version == 4


def test_the_state_menu_offers_what_the_roles_allow(rolled_back_app):
    nomination = make_nomination("under_review", reviewed=False)
    officer = factories.make_secretariat()
    owner = factories.make_focal_point(city=nomination.city)
    offered = {o.transition.id: o for o in available_transitions(officer, nomination)}
    assert set(offered) == {"return", "longlist", "shortlist", "recognise", "not_recognise"}
    assert offered["longlist"].enabled and offered["shortlist"].enabled
    assert not offered["not_recognise"].enabled
    assert str(offered["not_recognise"].refusal).startswith("Not all reviews are in.")
    # The decisions have a form of their own: the state menu leaves them out.
    menu = {o.transition.id for o in available_transitions(officer, nomination, menu=True)}
    assert menu == {"return", "longlist", "shortlist"}
    assert [o.transition.id for o in available_transitions(owner, nomination)] == ["withdraw"]
    assert available_transitions(factories.make_reviewer(), nomination) == []


def test_describe_gives_the_permission_table(rolled_back_app):
    table = describe(DEFINITIONS["city"])
    assert [state for state, _title, _perms in table] == list(DEFINITIONS["city"].states)
    pending = {s: p for s, _t, p in table}["pending"]
    assert pending == {
        "view": ["admin", "member", "secretariat"],
        "edit": ["admin", "member", "secretariat"],
        "verify": ["admin", "secretariat"],
    }
