"""The editions of the Ten Essentials (programmes/essentials/<edition>.yaml) and how a
programme names the one it uses (``essentials: 2010|2017``)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from programmes_support import PROGRAMMES

from recognition.programmes.definition import load_essentials, load_programme
from recognition.workflow.definition import DefinitionError


@pytest.mark.parametrize("edition", [2010, 2017])
def test_each_edition_has_ten_titled_essentials(edition):
    essentials = load_essentials(PROGRAMMES / "essentials" / f"{edition}.yaml")
    assert essentials.edition == edition
    assert essentials.title == f"The Ten Essentials ({edition})"
    assert list(essentials.titles) == list(range(1, 11))
    assert all(title.strip() for title in essentials.titles.values())
    assert len(set(essentials.titles.values())) == 10


def test_the_2017_revision_names_its_foundational_essentials():
    assert load_essentials(PROGRAMMES / "essentials" / "2017.yaml").foundational == {1, 2, 3}
    assert load_essentials(PROGRAMMES / "essentials" / "2010.yaml").foundational == frozenset()


def test_the_editions_number_the_essentials_differently():
    """Why every title is taken from the programme's edition: 3 is another Essential."""
    old = load_essentials(PROGRAMMES / "essentials" / "2010.yaml")
    new = load_essentials(PROGRAMMES / "essentials" / "2017.yaml")
    assert old.title_of(3).startswith("Up-to-date hazard and vulnerability data")
    assert new.title_of(3) == "Strengthen financial capacity for resilience"
    assert new.title_of(11) == ""


def test_a_programme_without_an_edition_uses_2010():
    programme = load_programme(PROGRAMMES / "role_model_city.yaml")
    assert programme.essentials.edition == 2010
    assert programme.essentials.title_of(1).startswith("Organisation and coordination")


def test_the_role_model_city_grid_asks_the_2010_essentials():
    """Its self-assessment grid lists its titles itself: the same as its edition's."""
    programme = load_programme(PROGRAMMES / "role_model_city.yaml")
    grid = programme.inputs["essentials__1__score"].field
    assert list(grid.essentials) == list(programme.essentials.titles.values())


def _set_essentials(value):
    def change(data):
        data["essentials"] = value

    return change


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2099, "no edition 2099 in essentials/"),
        ("2017", "an edition of the Ten Essentials: 2010 or 2017"),
        (True, "an edition of the Ten Essentials: 2010 or 2017"),
        ([2010, 2017], "an edition of the Ten Essentials: 2010 or 2017"),
    ],
)
def test_an_unknown_edition_is_refused_naming_file_and_key(write_programme, value, message):
    with pytest.raises(DefinitionError) as caught:
        load_programme(write_programme(_set_essentials(value)))
    assert ("role_model_city.yaml", "essentials", message) in caught.value.problems


def test_a_broken_edition_file_is_refused_naming_both_files(write_programme):
    path = write_programme(_set_essentials(2017))
    edition = path.parent / "essentials" / "2017.yaml"
    edition.write_text(edition.read_text("utf-8").replace("  10: Expedite", "  # 10: Expedite"))
    with pytest.raises(DefinitionError) as caught:
        load_programme(path)
    assert caught.value.problems == [
        (
            "role_model_city.yaml",
            "essentials (2017.yaml: essentials)",
            "the ten Essentials, numbered 1 to 10",
        )
    ]


def test_a_known_edition_loads(write_programme):
    """The control for the refusals above: the same copy naming 2017 loads."""
    programme = load_programme(write_programme(_set_essentials(2017)))
    assert programme.essentials.edition == 2017


# -- the secretariat's decision form ----------------------------------------------------------


def decision_areas(programme) -> tuple[str, list[tuple[int, str]]]:
    from recognition.secretariat.forms import DecisionForm

    form = DecisionForm(meta={"csrf": False})
    form.configure(programme)
    return str(form.areas.label.text), [(c.value, str(c.label)) for c in form.areas.choices]


def test_the_decision_names_the_areas_in_the_programme_s_edition(app):
    role_model = app.extensions["programmes"]["role_model_city"]
    with app.test_request_context("/"):
        label, choices = decision_areas(role_model)
    assert label == "Areas of strength — The Ten Essentials (2010)"
    assert [number for number, _title in choices] == list(range(1, 11))
    assert choices[2] == (
        3,
        "Essential 3: Up-to-date hazard and vulnerability data; risk assessments used in urban "
        "planning, shared publicly",
    )


def test_a_2017_programme_deciding_areas_offers_the_2017_titles(app):
    hub = replace(app.extensions["programmes"]["resilience_hub"], decision="strengths")
    with app.test_request_context("/"):
        label, choices = decision_areas(hub)
    assert label == "Areas of strength — The Ten Essentials (2017)"
    assert choices == [
        (1, "Essential 1: Organise for disaster resilience"),
        (2, "Essential 2: Identify, understand and use current and future risk scenarios"),
        (3, "Essential 3: Strengthen financial capacity for resilience"),
    ]


def test_the_decision_areas_are_translated(app):
    role_model = app.extensions["programmes"]["role_model_city"]
    with app.test_request_context("/?lang=fr"):
        _label, choices = decision_areas(role_model)
    assert choices[0][1].startswith("Point essentiel 1\u00a0: Organisation et coordination")
