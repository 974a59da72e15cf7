"""Number fields that are years (``format: year``) print as plain numbers: 2008, never
"2,008" or "2.008"."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from programmes_support import PROGRAMMES

from recognition.programmes.definition import load_programme, parse_programme
from recognition.programmes.formbuilder import format_answer
from recognition.workflow.definition import DefinitionError

LOCALES = ["en", "es", "fr", "ru", "ar", "zh"]


def _programme(**year_options):
    return parse_programme(
        {
            "id": "years",
            "title": "Years",
            "sections": [
                {
                    "id": "only",
                    "title": "Only",
                    "fields": [
                        {"id": "since", "type": "number", "title": "Since", **year_options},
                        {"id": "people", "type": "number", "title": "People"},
                    ],
                }
            ],
            "rubric": {"criteria": [{"id": "c", "title": "C", "essential": 1}]},
        },
        "years.yaml",
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_a_year_prints_without_digit_grouping(app, locale):
    programme = _programme(format="year")
    with app.test_request_context(), force_locale(locale):
        assert str(format_answer(programme.inputs["since"], "2008")) == "2008"


@pytest.mark.parametrize(("locale", "shown"), [("en", "2,008"), ("es", "2.008")])
def test_a_quantity_keeps_the_readers_digit_grouping(app, locale, shown):
    programme = _programme(format="year")
    with app.test_request_context(), force_locale(locale):
        assert str(format_answer(programme.inputs["people"], "2008")) == shown


def test_a_year_that_does_not_parse_is_shown_as_typed(app):
    programme = _programme(format="year")
    with app.test_request_context(), force_locale("en"):
        assert str(format_answer(programme.inputs["since"], "around 2008")) == "around 2008"


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_sasakawa_award_prints_active_since_as_a_year(app, locale):
    active_since = load_programme(PROGRAMMES / "sasakawa_award.yaml").inputs["active_since"]
    assert active_since.field.format == "year"
    with app.test_request_context(), force_locale(locale):
        assert str(format_answer(active_since, "2008")) == "2008"


def test_number_fields_are_quantities_unless_the_programme_says_otherwise():
    assert _programme().inputs["since"].field.format == "number"


@pytest.mark.parametrize(
    ("index", "options", "message"),
    [
        (2, {"format": "decade"}, "unknown format 'decade' (one of number, year)"),
        (2, {"format": "year", "integer": False}, "a year is a whole number"),
        (1, {"format": "year"}, "only number fields have a format, not 'country'"),
    ],
)
def test_a_wrong_format_is_a_definition_error_naming_file_and_key(
    write_programme, index, options, message
):
    def change(data):
        data["sections"][0]["fields"][index].update(options)

    path = write_programme(change, name="sasakawa_award")
    with pytest.raises(DefinitionError) as caught:
        load_programme(path)
    found = [(f, k, m[: len(message)]) for f, k, m in caught.value.problems]
    assert found == [("sasakawa_award.yaml", f"sections[0].fields[{index}].format", message)]
