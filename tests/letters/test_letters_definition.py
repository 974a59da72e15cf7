"""The programme field type ``letters``: its keys, its defaults, what the YAML may not say,
and what a required letters field asks before submission."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import factories
import pytest
import yaml
from letters_support import ask_letter, referee

from recognition.letters.operations import replace
from recognition.nominations.validation import completeness, problems
from recognition.programmes.definition import load_programmes, parse_programme
from recognition.workflow.definition import DefinitionError
from recognition.workflow.engine import fire

PROGRAMMES = Path(__file__).resolve().parents[2] / "programmes"


def shipped(name: str) -> dict:
    with open(PROGRAMMES / f"{name}.yaml", encoding="utf-8") as fh:
        return copy.deepcopy(yaml.safe_load(fh))


def with_letters(**keys) -> dict:
    """The Role Model City definition whose last section ends with a letters field."""
    data = shipped("role_model_city")
    data["sections"][-1]["fields"].append(
        {"id": "letters_x", "type": "letters", "title": "Letters", **keys}
    )
    return data


def parsed(data: dict):
    return parse_programme(data, "test.yaml", PROGRAMMES)


def letters_field(programme, field_id="letters_x"):
    return next(f for s in programme.sections for f in s.fields if f.id == field_id)


def test_a_letters_field_defaults_to_one_to_three_confidential_letters():
    field = letters_field(parsed(with_letters()))
    assert (field.required, field.min, field.max, field.confidential) == (False, 1, 3, True)


def test_a_letters_field_has_no_input_in_the_section_form():
    programme = parsed(with_letters(required=True, min=2, max=4, confidential=False))
    field = letters_field(programme)
    assert (field.required, field.min, field.max, field.confidential) == (True, 2, 4, False)
    assert list(field.inputs()) == []
    assert "letters_x" not in programme.inputs


@pytest.mark.parametrize(
    ("keys", "where", "message"),
    [
        ({"public": True}, "public", "letters are never published: remove public"),
        ({"max_words": 10}, "max_words", "a letters field does not take 'max_words'"),
        ({"min": 4, "max": 2}, "max", "must not be below min"),
        ({"min": 0}, "min", "must be at least 1"),
        ({"max": 1.5}, "max", "must be a whole number"),
        ({"confidential": "no"}, "confidential", "must be true or false"),
    ],
)
def test_what_a_letters_field_may_not_say_is_named_by_its_key(keys, where, message):
    with pytest.raises(DefinitionError) as caught:
        parsed(with_letters(**keys))
    index = len(shipped("role_model_city")["sections"][-1]["fields"])
    key = f"sections[3].fields[{index}].{where}"
    assert ("test.yaml", key, message) in caught.value.problems


def test_only_letters_fields_are_confidential():
    data = shipped("role_model_city")
    data["sections"][0]["fields"][0]["confidential"] = True
    with pytest.raises(DefinitionError) as caught:
        parsed(data)
    assert (
        "test.yaml",
        "sections[0].fields[0].confidential",
        "only letters fields are confidential, not 'number'",
    ) in caught.value.problems


def test_the_shipped_programmes_ask_optional_letters():
    programmes = load_programmes(PROGRAMMES)
    endorsements = letters_field(programmes["role_model_city"], "endorsements")
    support = letters_field(programmes["sasakawa_award"], "referee_letters")
    assert (endorsements.title, endorsements.required, endorsements.confidential) == (
        "Letters of endorsement",
        False,
        False,
    )
    assert (support.required, support.confidential) == (False, True)


# -- a required letters field, before submission -----------------------------------------------


@pytest.fixture
def required_letters(app, monkeypatch):
    """The Role Model City programme with its letters of endorsement required (two at least)."""
    programmes = dict(app.extensions["programmes"])
    programme = programmes["role_model_city"]
    sections = tuple(
        dataclasses.replace(
            s,
            fields=tuple(
                dataclasses.replace(f, required=True, min=2) if f.type == "letters" else f
                for f in s.fields
            ),
        )
        for s in programme.sections
    )
    programmes["role_model_city"] = dataclasses.replace(programme, sections=sections)
    monkeypatch.setitem(app.extensions, "programmes", programmes)


def letters_problems(nomination):
    return [p for p in problems(nomination) if p.input_name == "endorsements"]


def test_a_required_letters_field_needs_its_minimum_of_letters_asked(world, required_letters, db):
    nomination, focal = world.rmc, world.focal
    (problem,) = letters_problems(nomination)
    assert str(problem.message) == "Ask at least 2 referees for a letter."
    assert str(problem.label) == "Letters of endorsement"
    assert completeness(nomination)["nominator"] == (0, 4)
    ask_letter(nomination, "endorsements", focal, email="one@example.org")
    assert len(letters_problems(nomination)) == 1
    ask_letter(nomination, "endorsements", focal, email="two@example.org")
    assert letters_problems(nomination) == []
    assert completeness(nomination)["nominator"] == (1, 4)


def test_a_replaced_letter_does_not_count(world, required_letters, db):
    nomination, focal = world.rmc, world.focal
    first, _token = ask_letter(nomination, "endorsements", focal, email="one@example.org")
    ask_letter(nomination, "endorsements", focal, email="two@example.org")
    assert letters_problems(nomination) == []
    fire(first, "replace", focal)  # withdrawn, nobody asked instead
    assert len(letters_problems(nomination)) == 1
    second, _token = ask_letter(nomination, "endorsements", focal, email="three@example.org")
    replace(second, referee(email="four@example.org"), focal)
    assert letters_problems(nomination) == []  # a replacement is asked in its place


def test_an_optional_letters_field_asks_nothing(world):
    assert letters_problems(world.rmc) == []
    assert completeness(world.rmc)["nominator"][1] == 3  # the files and the choice, no letters


def test_complete_fixtures_stay_complete(world, db):
    factories.complete_role_model_answers(world.rmc, world.focal)
    assert problems(world.rmc) == []
