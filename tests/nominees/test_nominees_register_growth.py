"""The register grows with each announcement (once per recognised nomination, whatever the
number of calls), and the demo's historic laureates load once."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from nominees_support import org_nomination, organisation

from recognition.nominations.operations import NominationRefused, start
from recognition.nominees.demo import DEMO_LAUREATES, load_demo_register
from recognition.nominees.models import RegisterEntry
from recognition.nominees.operations import record_laureates


def register(db) -> list[tuple]:
    return [
        (e.programme_id, e.year, e.name, e.key, e.country, e.level, e.source)
        for e in db.session.scalars(sa.select(RegisterEntry).order_by(RegisterEntry.id))
    ]


@pytest.fixture
def announced_call(db):
    return factories.make_call(programme_id="sasakawa_award", state="announced", cycle="2025")


def test_an_announced_laureate_enters_the_register_once(db, announced_call):
    officer = factories.make_secretariat()
    nomination = org_nomination(
        organisation("Almaty City Hall", "KZ"),
        state="announced",
        call=announced_call,
        award_level="laureate",
    )
    first = record_laureates(nomination, officer)
    again = record_laureates(nomination, officer)
    assert again is first
    assert register(db) == [
        (
            "sasakawa_award",
            2025,
            "Almaty City Hall",
            "almaty city hall",
            "KZ",
            "laureate",
            "announcement",
        )
    ]
    assert first.nominee_id == nomination.nominee_id
    assert first.nomination_id == nomination.id
    assert first.created_by_id == officer.id


def test_each_announced_recognition_enters_at_its_level(db, announced_call):
    for name, level in (("Kenya Red Cross", "distinction"), ("Mekong Watch", "merit")):
        nomination = org_nomination(
            organisation(name, "KE"), state="announced", call=announced_call, award_level=level
        )
        record_laureates(nomination)
    assert [(row[2], row[5]) for row in register(db)] == [
        ("Kenya Red Cross", "distinction"),
        ("Mekong Watch", "merit"),
    ]


def test_a_city_recognised_without_levels_enters_as_recognised(db):
    city = factories.make_city(name="Makati", country="PH")
    nomination = factories.make_nomination(city=city, state="announced")
    entry = record_laureates(nomination)
    assert (entry.programme_id, entry.name, entry.country, entry.level) == (
        "role_model_city",
        "Makati",
        "PH",
        "recognised",
    )


def test_a_nomination_not_recognised_does_not_enter(db, announced_call):
    nomination = org_nomination(
        organisation("Almaty City Hall", "KZ"), state="not_recognised", call=announced_call
    )
    assert record_laureates(nomination) is None
    assert register(db) == []


def test_the_year_is_the_announcement_s_when_the_cycle_names_none(db):
    call = factories.make_call(programme_id="sasakawa_award", state="announced", cycle="Ninth")
    nomination = org_nomination(
        organisation("Almaty City Hall", "KZ"),
        state="announced",
        call=call,
        award_level="laureate",
    )
    nomination.announced_at = factories.utcnow().replace(year=2024)
    assert record_laureates(nomination).year == 2024


def test_an_announced_laureate_is_caught_by_the_next_call(db, announced_call):
    nominee = organisation("Almaty City Hall", "KZ")
    record_laureates(
        org_nomination(nominee, state="announced", call=announced_call, award_level="laureate")
    )
    renamed = organisation("Almaty city-hall", "KZ")  # entered again by another nominator
    call = factories.make_call(programme_id="sasakawa_award", cycle="2027")
    nominator = factories.make_user(email_confirmed_at=factories.utcnow())
    with pytest.raises(NominationRefused) as caught:
        start(call, renamed, "en", nominator)
    assert "lists Almaty City Hall (2025)" in str(caught.value.message)


def test_the_demo_register_loads_once(db):
    assert load_demo_register() == len(DEMO_LAUREATES)
    assert load_demo_register() == 0
    assert len(register(db)) == len(DEMO_LAUREATES)
    assert all(name.startswith("Demo ") for _p, _y, name, *_rest in register(db))
