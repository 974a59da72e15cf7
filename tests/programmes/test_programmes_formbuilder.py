"""Forms generated from a programme: every field type, draft and strict validation."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from recognition.programmes.definition import parse_programme
from recognition.programmes.formbuilder import (
    answers_from_form,
    count_words,
    format_answer,
    section_form,
)

EVERY_TYPE = {
    "id": "every_type",
    "title": "Every type",
    "sections": [
        {
            "id": "only",
            "title": "Only section",
            "fields": [
                {"id": "name", "type": "text", "title": "Name", "required": True, "max_length": 10},
                {"id": "story", "type": "long_text", "title": "Story", "max_words": 3},
                {"id": "count", "type": "number", "title": "Count", "min": 1, "max": 10},
                {"id": "ratio", "type": "number", "title": "Ratio", "integer": False, "max": 1},
                {"id": "since", "type": "date", "title": "Since"},
                {
                    "id": "kind",
                    "type": "choice",
                    "title": "Kind",
                    "choices": {"a": "Alpha", "b": "Beta"},
                },
                {
                    "id": "tags",
                    "type": "multiple_choice",
                    "title": "Tags",
                    "choices": {"x": "Ex", "y": "Why"},
                },
                {"id": "country", "type": "country", "title": "Country", "required": True},
                {"id": "letter", "type": "file", "title": "Letter", "required": True},
                {
                    "id": "grid",
                    "type": "essentials_grid",
                    "title": "Grid",
                    "required": True,
                    "score_min": 1,
                    "score_max": 3,
                    "max_words": 2,
                    "essentials": ["First", "Second"],
                },
            ],
        }
    ],
    "rubric": {"criteria": [{"id": "c", "title": "C", "essential": 1}]},
}


@pytest.fixture
def programme():
    return parse_programme(EVERY_TYPE, "every_type.yaml")


@pytest.fixture
def validate(app, programme):
    """validate(answers, strict=False, locale="en") -> {input name: [error, ...]}."""

    def run(answers, strict=False, locale="en"):
        section = programme.sections[0]
        with app.test_request_context(), force_locale(locale):
            form = section_form(programme, section, strict=strict, answers=answers, csrf=False)
            form.validate()
            return {name: [str(e) for e in errors] for name, errors in form.errors.items()}

    return run


VALID = {
    "name": "Quito",
    "story": "We plan ahead",
    "count": "3",
    "ratio": "0.5",
    "since": "2020-01-31",
    "kind": "a",
    "tags": ["x", "y"],
    "country": "EC",
    "grid__1__score": "3",
    "grid__1__narrative": "Good work",
    "grid__2__score": "1",
    "grid__2__narrative": "Started",
}


def test_grid_inputs_are_named_after_the_field_and_essential(programme):
    assert [n for n in programme.inputs if n.startswith("grid")] == [
        "grid__1__score",
        "grid__1__narrative",
        "grid__2__score",
        "grid__2__narrative",
    ]


def test_valid_answers_pass_strict_validation(validate):
    assert validate(VALID, strict=True) == {}


def test_draft_validation_accepts_empty_required_fields(validate):
    assert validate({}) == {}


@pytest.mark.parametrize("name", ["name", "country", "grid__1__score", "grid__2__narrative"])
def test_strict_validation_requires_required_inputs(validate, name):
    answers = {k: v for k, v in VALID.items() if k != name}
    assert validate(answers, strict=True) == {name: ["This field is required."]}


def test_optional_inputs_may_stay_empty_on_submission(validate):
    answers = {k: v for k, v in VALID.items() if k in ("name", "country") or k.startswith("grid")}
    assert validate(answers, strict=True) == {}


INVALID = [
    # (input, value typed, error shown)
    (
        "name",
        "Much too long a name",
        "At most 10 characters: what goes beyond is not kept when you save.",
    ),
    ("story", "one two three four", "Use at most 3 words; this text has 4."),
    ("count", "11", "Number must be between 1 and 10."),
    ("count", "0", "Number must be between 1 and 10."),
    ("count", "2.5", "Not a valid integer value."),
    ("count", "many", "Not a valid integer value."),
    ("ratio", "1.5", "Number must be at most 1."),
    ("since", "2020-02-31", "Not a valid date value."),
    ("kind", "c", "Not a valid choice."),
    ("tags", ["x", "z"], "'z' is not a valid choice for this field."),
    ("country", "XX", "Not a valid choice."),
    ("grid__1__score", "4", "Not a valid choice."),
    ("grid__1__narrative", "three words here", "Use at most 2 words; this text has 3."),
]


@pytest.mark.parametrize(
    ("name", "value", "error"), INVALID, ids=[f"{i[0]}={i[1]}" for i in INVALID]
)
def test_draft_validation_checks_what_was_typed(validate, name, value, error):
    assert validate({name: value}) == {name: [error]}


def test_decimal_number_accepts_a_fraction(validate):
    assert validate({"ratio": "0.25"}) == {}


def test_word_count_counts_words_separated_by_any_space():
    assert count_words("one\ttwo\nthree  four ") == 4


def test_country_choices_are_named_in_the_users_language(app, programme):
    with app.test_request_context(), force_locale("fr"):
        form = section_form(programme, programme.sections[0], answers={}, csrf=False)
        choices = {c.value: c.label for c in form.country.iter_choices()}
    assert choices["DE"] == "Allemagne"


def test_country_choices_are_sorted_by_their_translated_name(app, programme):
    with app.test_request_context(), force_locale("es"):
        form = section_form(programme, programme.sections[0], answers={}, csrf=False)
        names = [c.label for c in form.country.iter_choices()][1:]
    assert names == sorted(names, key=str.casefold)


def test_answers_from_form_keeps_everything_as_typed_without_files(programme):
    data = MultiDict([("count", "eleven"), ("tags", "x"), ("tags", "z"), ("letter", "x.pdf")])
    answers = answers_from_form(programme.sections[0], data)
    assert (answers["count"], answers["tags"], answers["name"]) == ("eleven", ["x", "z"], "")
    assert "letter" not in answers


@pytest.mark.parametrize(
    ("name", "value", "locale", "shown"),
    [
        ("kind", "b", "en", "Beta"),
        ("tags", ["x", "y"], "en", "Ex, Why"),
        ("country", "DE", "fr", "Allemagne"),
        ("country", "DE", "en", "Germany"),
        ("count", "7", "en", "7"),
        ("kind", "gone", "en", "gone"),
    ],
)
def test_format_answer_presents_stored_values(app, programme, name, value, locale, shown):
    with app.test_request_context(), force_locale(locale):
        assert str(format_answer(programme.inputs[name], value)) == shown
