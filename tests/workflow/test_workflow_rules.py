"""The engine as the single authority: states mean what their tags say, rules come from the
definitions with parameters and reasons, programmes add their own, objects are created
through the engine, and nothing is written before every check has passed."""

from __future__ import annotations

import copy

import factories
import pytest
import sqlalchemy as sa
from test_workflow_definition import VALID  # noqa: I001 - the smallest valid definition
from workflow_support import DEFINITIONS, history, make_nomination

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.nominees.models import nominee_for_city
from recognition.review.models import Assignment
from recognition.scale import load_scale
from recognition.workflow import guards
from recognition.workflow.definition import CREATED, DefinitionError, parse_definition
from recognition.workflow.engine import (
    ConditionNotMet,
    NotAllowed,
    available_transitions,
    create,
    fire,
)
from recognition.workflow.history import WorkflowEvent
from recognition.workflow.registry import definition_for, has_tag, states_tagged, tagged
from recognition.workflow.rules import Rule
from recognition.workflow.security import users_with_permission

# -- tags ------------------------------------------------------------------------------------


def test_code_asks_for_states_by_tag(rolled_back_app):
    assert states_tagged(Nomination, "in_review") == ("under_review", "longlisted", "shortlisted")
    assert states_tagged(Nomination, "public") == ("announced", "expiring", "expired", "renewed")
    assert states_tagged(Nomination, "current") == ("announced", "expiring")
    assert states_tagged(Assignment, "engaged") == ("accepted", "submitted", "reopened")


def test_an_unknown_tag_is_an_error_not_an_empty_answer(rolled_back_app):
    with pytest.raises(KeyError, match="nomination.yaml: no state is tagged 'decidde'"):
        states_tagged(Nomination, "decidde")
    with pytest.raises(KeyError):
        has_tag(make_nomination("draft"), "decidde")


def test_has_tag_and_tagged_agree(rolled_back_app):
    nominations = [
        make_nomination(state, reviewed=False) for state in DEFINITIONS["nomination"].states
    ]
    ids = set(db.session.scalars(sa.select(Nomination.id).where(tagged(Nomination, "undecided"))))
    assert ids == {n.id for n in nominations if has_tag(n, "undecided")}
    assert {n.state for n in nominations if n.id in ids} == {
        "submitted", "returned", "under_review", "longlisted", "shortlisted",
    }  # fmt: skip


def test_a_tag_named_like_a_state_is_refused():
    raw = copy.deepcopy(VALID)
    raw["states"]["new"]["tags"] = ["done"]
    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw, "thing.yaml", predicates={"ok"})
    assert caught.value.problems == [
        ("thing.yaml", "states.new.tags", "tag 'done' is also the name of a state")
    ]


# -- rules -----------------------------------------------------------------------------------


def test_rules_carry_parameters_and_whether_a_reason_overrides_them():
    raw = copy.deepcopy(VALID)
    raw["transitions"]["finish"]["guard"]["when"] = ["ok", {"ok": {"override": True}}]
    definition = parse_definition(raw, "thing.yaml", predicates={"ok"})
    assert definition.transitions["finish"].guard.when == (
        Rule("ok", {}, False),
        Rule("ok", {}, True),
    )


@pytest.mark.parametrize(
    ("when", "key", "message"),
    [
        ([{"areas_of_strength": {}}], "[0].areas_of_strength", "parameter 'minimum' is required"),
        ([{"areas_of_strength": {"minimum": "5"}}], "[0].areas_of_strength.minimum",
         "must be a whole number"),
        ([{"areas_of_strength": {"minimum": 5, "most": 9}}], "[0].areas_of_strength.most",
         "unknown parameter"),
        ([{"call_is_open": {"override": "yes"}}], "[0].call_is_open.override",
         "must be true or false"),
        ([["call_is_open"]], "[0]", "must be a rule's name or `name: {parameters}`"),
    ],
)  # fmt: skip
def test_rule_parameters_are_checked_against_the_predicate(rolled_back_app, when, key, message):
    raw = copy.deepcopy(VALID)
    raw["transitions"]["finish"]["guard"]["when"] = when
    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw, "thing.yaml", predicates=guards.registered())
    assert ("thing.yaml", f"transitions.finish.guard.when{key}", message) in caught.value.problems


def test_a_transition_may_be_guarded_by_a_permission(rolled_back_app):
    """recognise needs the decide permission, which nomination.yaml grants the secretariat
    under review only: no role list to keep in step with the permission map."""
    guard = DEFINITIONS["nomination"].transitions["recognise"].guard
    assert (guard.roles, guard.permission) == ((), "decide")
    nomination = make_nomination("under_review")
    officer, owner = factories.make_secretariat(), factories.make_focal_point(city=nomination.city)
    assert [o.transition.id for o in available_transitions(owner, nomination)] == ["withdraw"]
    with pytest.raises(NotAllowed):
        fire(nomination, "recognise", owner, data={"level": "merit"})
    fire(nomination, "recognise", officer, data={"level": "merit"})
    assert nomination.state == "recognised"


def test_programme_rules_join_the_workflow_s_own(rolled_back_app):
    """The Sasakawa Award's recognise needs a level (programmes/sasakawa_award.yaml)."""
    nomination = make_nomination("under_review")
    with pytest.raises(ConditionNotMet) as caught:
        fire(nomination, "recognise", factories.make_secretariat())
    assert caught.value.detail == "rule 'award_level_chosen'"
    assert str(caught.value.message) == "Choose the level of the award."


# -- nothing is written before the checks ----------------------------------------------------


def _role_model_nomination(reviewed: bool = True):
    call = factories.make_call("role_model_city", state="reviewing")
    nomination = factories.make_nomination(call=call, state="under_review")
    if reviewed:
        factories.make_assignment(nomination, state="submitted")
    return nomination


def test_a_refused_decision_writes_nothing_even_in_memory(rolled_back_app):
    nomination = _role_model_nomination()
    version = nomination.version
    with pytest.raises(ConditionNotMet) as caught:
        fire(nomination, "recognise", factories.make_secretariat(), data={"areas": [1, 2, 3]})
    assert str(caught.value.message) == (
        "A recognition names at least 5 areas of strength; 3 named."
    )
    assert (nomination.state, nomination.areas_of_strength) == ("under_review", [])
    assert (nomination.decided_by_id, nomination.decided_at) == (None, None)
    assert nomination not in db.session.dirty
    assert (nomination.version, history(nomination)) == (version, [])


def test_a_decision_is_written_by_its_operation_after_the_checks(rolled_back_app):
    nomination = _role_model_nomination()
    officer = factories.make_secretariat()
    event = fire(
        nomination, "recognise", officer, "Well done.", data={"areas": [5, 1, 2, 3, 4, 42]}
    )
    assert nomination.areas_of_strength == [1, 2, 3, 4, 5]  # the Essentials only, in order
    assert (nomination.decided_by_id, nomination.decision_comment) == (officer.id, "Well done.")
    assert event.data == {"areas_of_strength": [1, 2, 3, 4, 5]}


def test_an_override_is_recorded_with_its_reason(rolled_back_app):
    nomination = _role_model_nomination(reviewed=False)
    event = fire(
        nomination,
        "not_recognise",
        factories.make_secretariat(),
        data={"override_reason": "  The jury met without the last review.  "},
    )
    assert event.data == {
        "overridden": ["reviews_complete"],
        "override_reason": "The jury met without the last review.",
    }


def test_an_anonymous_decision_on_a_public_nomination_is_refused_cleanly(app, client):
    nomination = make_nomination("recognised")
    nomination.state = "announced"
    db.session.commit()
    response = client.post(f"/workflow/nomination/{nomination.id}/not_recognise")
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Nomination, nomination.id)
    assert (stored.state, stored.areas_of_strength) == ("announced", [])


# -- creation --------------------------------------------------------------------------------


def test_create_starts_in_the_initial_state_and_records_it(rolled_back_app):
    call = factories.make_call("role_model_city")
    focal = factories.make_focal_point()
    city = focal.memberships[0].city
    nomination = Nomination(
        call=call, call_id=call.id, nominee=nominee_for_city(city), city=city, city_id=city.id
    )
    event = create(nomination, focal)
    assert nomination.state == "draft"
    assert (event.transition, event.from_state, event.to_state, event.actor_id) == (
        CREATED,
        "",
        "draft",
        focal.id,
    )
    assert history(nomination) == [event]


def test_create_refuses_whom_the_creation_guard_does_not_name(rolled_back_app):
    call = factories.make_call("role_model_city")
    city = factories.make_city()
    nomination = Nomination(
        call=call, call_id=call.id, nominee=nominee_for_city(city), city=city, city_id=city.id
    )
    with pytest.raises(NotAllowed):
        create(nomination, factories.make_secretariat())
    assert nomination not in db.session
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowEvent)) == 0


def test_create_applies_the_programme_s_eligibility_rules(rolled_back_app):
    focal = factories.make_focal_point()
    city = focal.memberships[0].city
    earlier = factories.make_call("role_model_city", state="announced", cycle="2020")
    factories.make_nomination(call=earlier, city=city, state="announced")
    call = factories.make_call("role_model_city")
    nomination = Nomination(
        call=call, call_id=call.id, nominee=nominee_for_city(city), city=city, city_id=city.id
    )
    with pytest.raises(ConditionNotMet) as caught:
        create(nomination, focal)
    assert str(caught.value.message) == "Your city is already recognised under this programme."
    assert nomination not in db.session


def test_nobody_is_told_who_may_verify_a_city_but_those_who_may(rolled_back_app):
    city = factories.make_city(state="pending")
    officer, admin = factories.make_secretariat(), factories.make_user(roles=("admin",))
    factories.make_reviewer()
    assert users_with_permission("verify", city) == [officer, admin]


# -- synthetic data follows the workflows ----------------------------------------------------


def test_walk_follows_the_definition_and_refuses_an_impossible_step(rolled_back_app):
    definition = definition_for(Nomination)
    assert definition.walk(["submit", "accept", "shortlist"]) == "shortlisted"
    with pytest.raises(ValueError, match="'shortlist' is not possible from 'submitted'"):
        definition.walk(["submit", "shortlist"])


def test_the_synthetic_campaign_has_the_history_its_states_need(app):
    call = load_scale(40)
    for model in (Nomination, Assignment):
        definition = definition_for(model)
        rows = db.session.execute(
            sa.select(WorkflowEvent.object_id, WorkflowEvent.transition, WorkflowEvent.to_state)
            .where(WorkflowEvent.object_type == definition.applies_to)
            .order_by(WorkflowEvent.id)
        ).all()
        paths: dict[int, list[str]] = {}
        last: dict[int, str] = {}
        for object_id, transition, to_state in rows:
            paths.setdefault(object_id, []).append(transition)
            last[object_id] = to_state
        objects = db.session.scalars(sa.select(model)).all()
        assert objects
        for obj in objects:
            assert paths[obj.id][0] == CREATED
            assert definition.walk(paths[obj.id][1:]) == obj.state == last[obj.id]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Nomination).where(Nomination.call_id == call.id)
        )
        == 40
    )
