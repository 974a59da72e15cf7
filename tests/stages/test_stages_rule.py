"""The rule programmes name to ask for a stage: ``city_stage_tagged: {tag: implementing}``
holds for a city at stage C, and says where the city is and what is needed otherwise."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import factories
import pytest
from stages_support import stage_at

from recognition.extensions import db
from recognition.nominations.operations import NominationRefused, start
from recognition.nominees.models import Nominee, nominee_for_city
from recognition.stages.guards import check_stage_tags
from recognition.workflow import guards
from recognition.workflow.engine import ConditionNotMet, evaluate
from recognition.workflow.rules import Rule


def _reason(nomination, tag="implementing"):
    reason = guards.get("city_stage_tagged").func(nomination, None, {}, tag=tag)
    return None if reason is None else str(reason)


@pytest.fixture
def nominated(db):
    """A Role Model City nomination of Makati (no stage yet)."""
    city = factories.make_city("Makati", "PH")
    return factories.make_nomination(city=city)


def test_it_holds_for_a_city_at_stage_c(app, nominated):
    stage_at(nominated.city, "stage_c")
    assert _reason(nominated) is None


def test_it_refuses_a_city_at_stage_b_naming_both_stages(app, nominated):
    stage_at(nominated.city, "stage_b")
    assert _reason(nominated) == (
        "Makati is at “Stage B: plan better” in Making Cities Resilient 2030; this programme "
        "asks for a city at “Stage C: implement better”."
    )


def test_a_pending_request_for_stage_c_is_not_stage_c(app, nominated):
    stage_at(nominated.city, "c_requested")
    assert "Makati is at “Stage C requested”" in _reason(nominated)


def test_any_confirmed_stage_holds_for_the_staged_tag(app, nominated):
    stage = stage_at(nominated.city, "stage_a")
    assert _reason(nominated, "staged") is None
    stage.state = "a_requested"
    db.session.flush()
    assert _reason(nominated, "staged").endswith(
        "asks for a city at “Stage A: know better”, “Stage B: plan better”, or "
        "“Stage C: implement better”."
    )


def test_it_refuses_a_city_that_has_not_joined(app, nominated):
    assert _reason(nominated) == (
        "Makati has not joined Making Cities Resilient 2030 yet; this programme asks for a "
        "city at “Stage C: implement better”."
    )


def test_it_refuses_a_nominee_that_is_not_a_city(app, db):
    nominee = Nominee(
        kind="organisation", names={"en": "Red Cross"}, source_language="en", country="PH"
    )
    nominee.refresh_key()
    db.session.add(nominee)
    db.session.flush()
    nomination = factories.make_nomination(nominee=nominee)
    assert nomination.city is None
    assert _reason(nomination) == (
        "This programme recognises cities at “Stage C: implement better” of Making Cities "
        "Resilient 2030: the nominee is not a city."
    )


def test_the_engine_refuses_a_transition_with_the_reason(app, nominated):
    """As a programme's ``rules`` add it to a nomination's transition."""
    stage_at(nominated.city, "stage_b")
    rule = Rule("city_stage_tagged", {"tag": "implementing"})
    with pytest.raises(ConditionNotMet) as refused:
        evaluate(nominated, None, [rule], {}, "submit")
    assert str(refused.value.message) == _reason(nominated)
    stage_at(factories.make_city(), "stage_c")  # another city's stage C changes nothing
    with pytest.raises(ConditionNotMet):
        evaluate(nominated, None, [rule], {}, "submit")


def test_a_programme_naming_an_unknown_tag_stops_the_app(app, monkeypatch):
    programme = SimpleNamespace(
        source="resilience_hub.yaml",
        rules={"submit": (Rule("city_stage_tagged", {"tag": "implemnting"}),)},
    )
    monkeypatch.setitem(app.extensions, "programmes", {"resilience_hub": programme})
    assert check_stage_tags() == [
        (
            "resilience_hub.yaml",
            "rules.submit[0].city_stage_tagged.tag",
            "no city stage is tagged 'implemnting'",
        )
    ]
    programme.rules = {"submit": (Rule("city_stage_tagged", {"tag": "implementing"}),)}
    assert check_stage_tags() == []


@pytest.fixture
def hub_rule(app, monkeypatch):
    """The Role Model City programme with the rule a Resilience Hub programme would add:
    ``create: [{city_stage_tagged: {tag: implementing}}]``."""
    programmes = dict(app.extensions["programmes"])
    rmc = programmes["role_model_city"]
    rules = {**rmc.rules, "create": (Rule("city_stage_tagged", {"tag": "implementing"}),)}
    programmes["role_model_city"] = dataclasses.replace(rmc, rules=rules)
    monkeypatch.setitem(app.extensions, "programmes", programmes)


@pytest.mark.parametrize(("state", "allowed"), [("stage_b", False), ("stage_c", True)])
def test_a_programme_naming_the_rule_lets_only_the_stage_it_asks_for_start(
    app, hub_rule, state, allowed
):
    focal = factories.make_user()
    city = factories.make_city("Makati", "PH", members=[focal])
    stage_at(city, state)
    call = factories.make_call()
    if allowed:
        assert start(call, nominee_for_city(city), "en", focal).state == "draft"
    else:
        with pytest.raises(NominationRefused, match="Makati is at “Stage B: plan better”"):
            start(call, nominee_for_city(city), "en", focal)
