"""The rules that read the register: a past Laureate is refused when a nomination is started,
submitted or accepted; a near match stops acceptance until the secretariat says whether it is
the same nominee ("different" lets it through, "same" excludes it)."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from nominees_support import entry, org_nomination, organisation

from recognition.nominations.models import Nomination
from recognition.nominations.operations import NominationRefused, start
from recognition.nominees.models import RegisterMatch, nominee_for_city
from recognition.timeutil import utcnow
from recognition.workflow.engine import ConditionNotMet, fire

LISTED = (
    "The register of past Laureates lists Almaty city-hall (2015). Past Laureates of this award "
    "cannot be nominated again."
)


def resolve(db, nomination, register_entry, resolution, officer):
    db.session.add(
        RegisterMatch(
            nomination_id=nomination.id,
            entry_id=register_entry.id,
            similarity=100,
            resolution=resolution,
            resolved_by_id=officer.id,
            resolved_at=utcnow(),
        )
    )
    db.session.flush()


def refusal(nomination, transition, actor) -> str:
    with pytest.raises(ConditionNotMet) as caught:
        fire(nomination, transition, actor)
    return str(caught.value.message)


def test_a_past_laureate_in_the_imported_register_cannot_be_nominated(db, award_call, nominator):
    entry("Almaty city-hall", "KZ", year=2015)
    nominee = organisation("Almaty City Hall", "KZ")
    with pytest.raises(NominationRefused) as caught:
        start(award_call, nominee, "en", nominator)
    assert str(caught.value.message) == LISTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)) == 0


def test_a_city_in_the_register_cannot_be_nominated(db, award_call):
    focal = factories.make_focal_point(
        city=factories.make_city(name="Almaty", country="KZ", state="verified")
    )
    entry("ALMATY", "KZ", year=2009)
    city = focal.memberships[0].city
    with pytest.raises(NominationRefused) as caught:
        start(award_call, nominee_for_city(city), "en", focal)
    assert "lists ALMATY (2009)" in str(caught.value.message)


def test_a_lower_level_in_the_register_does_not_exclude(db, award_call, nominator):
    entry("Almaty City Hall", "KZ", level="merit")
    nomination = start(award_call, organisation("Almaty City Hall", "KZ"), "en", nominator)
    assert nomination.state == "draft"


def test_a_near_match_does_not_stop_a_nomination_from_starting(db, award_call, nominator):
    entry("Municipality of Almaty", "KZ")
    nomination = start(award_call, organisation("Almaty City Hall", "KZ"), "en", nominator)
    assert nomination.state == "draft"


def test_a_past_laureate_imported_after_the_draft_cannot_submit(db, award_call, nominator):
    nomination = org_nomination(
        organisation("Almaty City Hall", "KZ"),
        state="draft",
        call=award_call,
        created_by_id=nominator.id,
    )
    entry("Almaty city-hall", "KZ", year=2015)
    assert refusal(nomination, "submit", nominator) == LISTED
    assert nomination.state == "draft"


def test_the_submit_button_says_why(db, client, login_as, award_call, nominator):
    nomination = org_nomination(
        organisation("Almaty City Hall", "KZ"),
        state="draft",
        call=award_call,
        created_by_id=nominator.id,
    )
    entry("Almaty city-hall", "KZ", year=2015)
    db.session.commit()
    html = login_as(nominator).get(f"/nominations/{nomination.id}").get_data(as_text=True)
    assert "The register of past Laureates lists Almaty city-hall (2015)." in html


def test_a_past_laureate_imported_after_submission_cannot_be_accepted(db, submitted, officer):
    entry("Almaty city-hall", "KZ", year=2015)
    assert refusal(submitted, "accept", officer) == LISTED


def test_a_near_match_stops_acceptance_until_resolved(db, submitted, officer):
    entry("Municipality of Almaty", "KZ")
    assert refusal(submitted, "accept", officer) == (
        "1 possible match in the register of past Laureates is not resolved: say on the "
        "nomination's page whether it is the same nominee."
    )


def test_each_near_match_must_be_resolved(db, submitted, officer):
    first = entry("Municipality of Almaty", "KZ")
    entry("Almati City Hall", None)  # country unknown: still a possible match
    resolve(db, submitted, first, "different", officer)
    assert refusal(submitted, "accept", officer).startswith("1 possible match")


def test_a_different_nominee_lets_the_nomination_through(db, submitted, officer):
    near = entry("Municipality of Almaty", "KZ")
    resolve(db, submitted, near, "different", officer)
    fire(submitted, "accept", officer)
    assert submitted.state == "under_review"


def test_the_same_nominee_is_a_past_laureate(db, submitted, officer):
    near = entry("Municipality of Almaty", "KZ", year=2011)
    resolve(db, submitted, near, "same", officer)
    assert refusal(submitted, "accept", officer) == (
        "The secretariat found that this nominee is Municipality of Almaty, a past Laureate "
        "(2011). Past Laureates of this award cannot be nominated again."
    )


def test_an_unresolved_match_does_not_count_as_resolved(db, submitted, officer):
    near = entry("Municipality of Almaty", "KZ")
    resolve(db, submitted, near, "unresolved", officer)
    assert refusal(submitted, "accept", officer).startswith("1 possible match")


def test_a_laureate_announced_here_before_cannot_be_nominated_again(db, award_call, nominator):
    nominee = organisation("Almaty City Hall", "KZ")
    earlier = factories.make_call(programme_id="sasakawa_award", state="announced", cycle="2020")
    org_nomination(nominee, state="announced", call=earlier, award_level="laureate")
    with pytest.raises(NominationRefused) as caught:
        start(award_call, nominee, "en", nominator)
    assert str(caught.value.message) == "Past Laureates of this award cannot be nominated again."


def test_the_rules_write_nothing(db, submitted, officer):
    entry("Municipality of Almaty", "KZ")
    version = submitted.version
    with pytest.raises(ConditionNotMet):
        fire(submitted, "accept", officer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegisterMatch)) == 0
    assert not db.session.dirty and not db.session.new
    assert submitted.version == version


def test_the_role_model_city_programme_does_not_read_the_register(db):
    city = factories.make_city(name="Almaty", country="KZ")
    entry("Almaty", "KZ", programme_id="role_model_city", level="recognised")
    entry("Almaty", "KZ")
    factories.make_nomination(city=city, state="submitted")
    nomination = db.session.scalar(sa.select(Nomination))
    fire(nomination, "accept", factories.make_secretariat())
    assert nomination.state == "under_review"
