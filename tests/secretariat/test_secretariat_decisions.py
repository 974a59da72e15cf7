"""Decisions: areas of strength (Role Model City), levels (Sasakawa Award), the override
before all reviews are in, and the database's refusal of a decision without decider."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from secretariat_support import flashes, submit_review

from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.notifications.models import OutboxMessage
from recognition.workflow.history import WorkflowEvent

STRONG = {f"essential_{i}": 5 for i in (1, 2, 3, 4, 5, 7)}
#: A Role Model City is recognised in at least five areas of strength (role_model_city.yaml).
FIVE = ["1", "2", "3", "4", "5"]


def decide(client, nomination, **data):
    return client.post(f"/secretariat/nominations/{nomination.id}/decide", data=data)


def reload(nomination) -> Nomination:
    return _db.session.get(Nomination, nomination.id)


def events(nomination) -> list[WorkflowEvent]:
    return list(
        _db.session.scalars(
            sa.select(WorkflowEvent).where(
                WorkflowEvent.object_type == "nomination",
                WorkflowEvent.object_id == nomination.id,
            )
        )
    )


@pytest.fixture
def reviewed(db, world):
    """Lyon's nomination with one submitted review strong in Essentials 1-5 and 7."""
    submit_review(world.nomination, STRONG)
    db.session.commit()
    return world.nomination


@pytest.fixture
def award(db):
    """A Sasakawa Award call under review with two reviewed nominations."""
    call = factories.make_call(programme_id="sasakawa_award", state="reviewing")
    nominations = []
    for name in ("Manila", "Quito"):
        focal = factories.make_user(email=f"focal@{name.lower()}.example")
        city = factories.make_city(name=name, members=[focal])
        nomination = factories.make_nomination(call=call, city=city, state="under_review")
        submit_review(nomination, 4)
        nominations.append(nomination)
    db.session.commit()
    return call, nominations


def test_decision_form_prefills_areas_from_the_scores(as_officer, reviewed):
    html = as_officer.get(f"/nominations/{reviewed.id}").get_data(as_text=True)
    checked = re.findall(r'<input checked[^>]*name="areas"[^>]*value="(\d+)"', html)
    checked += re.findall(r'<input[^>]*name="areas"[^>]*value="(\d+)"[^>]* checked', html)
    assert sorted(map(int, checked)) == [1, 2, 3, 4, 5, 7]


def test_recognising_records_the_areas_chosen(as_officer, reviewed):
    response = decide(
        as_officer, reviewed, outcome="recognise", areas=["1", "2", "3", "4", "5", "9"]
    )
    assert response.status_code == 302
    nomination = reload(reviewed)
    assert nomination.state == "recognised"
    assert nomination.areas_of_strength == [1, 2, 3, 4, 5, 9]
    assert nomination.decided_by.email == "officer@secretariat.example"
    assert nomination.decided_at is not None
    [event] = events(reviewed)
    assert event.data == {"areas_of_strength": [1, 2, 3, 4, 5, 9]}


def test_recognising_tells_the_city_nothing_before_the_announcement(as_officer, reviewed):
    decide(as_officer, reviewed, outcome="recognise", areas=FIVE, comment="Well done")
    assert reload(reviewed).state == "recognised"
    assert _db.session.query(OutboxMessage).all() == []


@pytest.mark.parametrize("areas", [[], ["1"], ["1", "2", "3", "4"]])
def test_a_role_model_city_needs_five_areas_of_strength(as_officer, reviewed, areas):
    decide(as_officer, reviewed, outcome="recognise", areas=areas)
    nomination = reload(reviewed)
    assert (nomination.state, nomination.areas_of_strength) == ("under_review", [])
    assert nomination.decided_by_id is None
    message = f"A recognition names at least 5 areas of strength; {len(areas)} named."
    assert ("danger", message) in flashes(as_officer)
    assert events(reviewed) == []


def test_no_reason_overrides_the_minimum_areas_of_strength(db, as_officer, reviewed):
    decide(as_officer, reviewed, outcome="recognise", areas=["1", "2", "3"], override_reason="Jury")
    assert reload(reviewed).state == "under_review"


@pytest.mark.parametrize("areas", [["11"], ["0"], ["-2"]])
def test_areas_outside_the_essentials_are_refused(as_officer, reviewed, areas):
    decide(as_officer, reviewed, outcome="recognise", areas=areas)
    assert reload(reviewed).state == "under_review"


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "maybe"},
        {},
        {"outcome": "recognise", "areas": ["x"]},
        {"outcome": "recognise", "areas": ["1"], "version": "abc"},
        {"outcome": "recognise", "areas": ["1"], "comment": "x" * 5001},
    ],
)
def test_bad_input_is_a_message_not_an_error(as_officer, reviewed, data):
    response = decide(as_officer, reviewed, **data)
    assert response.status_code == 302
    assert reload(reviewed).state == "under_review"
    assert flashes(as_officer)[0][0] == "danger"


def test_not_recognising_clears_areas(as_officer, reviewed):
    decide(as_officer, reviewed, outcome="not_recognise", areas=["1", "2"], comment="Too early")
    nomination = reload(reviewed)
    assert nomination.state == "not_recognised"
    assert nomination.areas_of_strength == []
    assert nomination.decision_comment == "Too early"


def test_a_stale_form_is_refused_as_a_conflict(as_officer, reviewed):
    response = decide(
        as_officer, reviewed, outcome="recognise", areas=FIVE, version=reviewed.version - 1
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.get_data(as_text=True)
    assert reload(reviewed).state == "under_review"


def test_deciding_before_all_reviews_needs_a_reason(db, as_officer, reviewed):
    factories.make_assignment(reviewed, state="accepted")
    db.session.commit()
    decide(as_officer, reviewed, outcome="recognise", areas=FIVE)
    assert reload(reviewed).state == "under_review"
    assert flashes(as_officer)[0][1] == (
        "Not all reviews are in. To go ahead anyway, give a reason: the history keeps it."
    )


def test_override_reason_is_kept_in_history(db, as_officer, reviewed):
    factories.make_assignment(reviewed, state="accepted")
    db.session.commit()
    decide(
        as_officer,
        reviewed,
        outcome="recognise",
        areas=FIVE,
        override_reason="The third reviewer is unreachable",
    )
    assert reload(reviewed).state == "recognised"
    [event] = events(reviewed)
    assert event.data["override_reason"] == "The third reviewer is unreachable"
    assert event.data["overridden"] == ["reviews_complete"]


def test_no_override_is_recorded_when_reviews_are_complete(as_officer, reviewed):
    decide(as_officer, reviewed, outcome="recognise", areas=FIVE, override_reason="Just because")
    [event] = events(reviewed)
    assert "override_reason" not in event.data


def test_decision_form_asks_for_the_reason_while_reviews_are_missing(db, as_officer, world):
    factories.make_assignment(world.nomination, state="accepted")
    db.session.commit()
    html = as_officer.get(f"/nominations/{world.nomination.id}").get_data(as_text=True)
    assert 'name="override_reason"' in html


def test_decision_form_hides_the_reason_when_reviews_are_complete(as_officer, reviewed):
    html = as_officer.get(f"/nominations/{reviewed.id}").get_data(as_text=True)
    assert 'name="outcome"' in html and 'name="override_reason"' not in html


@pytest.mark.parametrize("level", ["laureate", "distinction", "merit"])
def test_sasakawa_decision_names_the_level(as_officer, award, level):
    manila = award[1][0]
    decide(as_officer, manila, outcome="recognise", level=level)
    nomination = reload(manila)
    assert (nomination.state, nomination.award_level) == ("recognised", level)


@pytest.mark.parametrize("level", ["", "gold"])
def test_sasakawa_recognition_needs_a_known_level(as_officer, award, level):
    manila = award[1][0]
    decide(as_officer, manila, outcome="recognise", level=level)
    assert reload(manila).state == "under_review"
    assert ("danger", "Choose the level of the award.") in flashes(as_officer)


def test_one_laureate_per_call(as_officer, award):
    manila, quito = award[1]
    decide(as_officer, manila, outcome="recognise", level="laureate")
    decide(as_officer, quito, outcome="recognise", level="laureate")
    assert reload(quito).state == "under_review"
    message = "This call already awards “Laureate” 1 time, as often as it may."
    assert ("danger", message) in flashes(as_officer)


def test_the_call_may_allow_more_laureates(db, as_officer, award):
    call, (manila, quito) = award
    call.laureates_max = 2
    db.session.commit()
    decide(as_officer, manila, outcome="recognise", level="laureate")
    decide(as_officer, quito, outcome="recognise", level="laureate")
    assert reload(quito).award_level == "laureate"


def test_distinctions_have_no_limit(as_officer, award):
    manila, quito = award[1]
    decide(as_officer, manila, outcome="recognise", level="distinction")
    decide(as_officer, quito, outcome="recognise", level="distinction")
    assert reload(quito).award_level == "distinction"


def test_sasakawa_form_offers_the_levels(as_officer, award):
    manila = award[1][0]
    html = as_officer.get(f"/nominations/{manila.id}").get_data(as_text=True)
    for label in ("Laureate", "Certificate of Distinction", "Certificate of Merit"):
        assert label in html
    assert 'name="areas"' not in html


@pytest.mark.parametrize("state", ["submitted", "recognised", "not_recognised", "draft"])
def test_only_nominations_in_review_can_be_decided(db, as_officer, state):
    """A decision on a nomination that moved on (decided by someone else, returned, ...) is
    a conflict to reload, not a permission the officer lacks."""
    nomination = factories.make_nomination(state=state)
    db.session.commit()
    response = decide(as_officer, nomination, outcome="not_recognise")
    assert response.status_code == 409
    assert "This action is not possible while the item is" in response.get_data(as_text=True)
    assert reload(nomination).state == state


def test_a_city_cannot_decide_its_own_nomination(login_as, world, reviewed):
    response = decide(login_as(world.focal), reviewed, outcome="recognise", areas=FIVE)
    assert response.status_code == 403
    assert reload(reviewed).state == "under_review"


def test_an_unassigned_reviewer_does_not_see_the_nomination(db, login_as, reviewed):
    reviewer = factories.make_reviewer()
    db.session.commit()
    assert decide(login_as(reviewer), reviewed, outcome="recognise").status_code == 404


@pytest.mark.parametrize("state", ["recognised", "not_recognised", "announced"])
def test_database_refuses_a_decision_without_decider(db, world, state):
    nomination = world.nomination
    nomination.state = state
    nomination.decided_by_id = None
    nomination.decided_at = None
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_database_refuses_a_decision_without_date(db, world, officer):
    officer_id = officer.id
    nomination = world.nomination
    nomination.state = "recognised"
    nomination.decided_by_id = officer_id
    nomination.decided_at = None
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_no_decision_while_the_call_still_takes_nominations(db, as_officer, reviewed):
    reviewed.call.state = "open"
    db.session.commit()
    decide(as_officer, reviewed, outcome="recognise", areas=FIVE)
    assert reload(reviewed).state == "under_review"
    [(category, message)] = flashes(as_officer)
    assert message.startswith("Decisions are recorded once the call's reviewing has started")
