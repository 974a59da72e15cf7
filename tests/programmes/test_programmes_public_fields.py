"""Fields marked ``public: true``: what an announced nomination shows to everyone."""

from __future__ import annotations

import pytest
from programmes_support import PROGRAMMES

from recognition.programmes.definition import load_programme
from recognition.workflow.definition import DefinitionError

#: The public projection of each shipped programme (see the comment in each YAML).
SHIPPED_PUBLIC = {
    "role_model_city": {
        "population",
        "area_km2",
        "hazards",
        "joined_campaign",
        "motivation",
        "innovation",
        "sustained_results",
        "sharing",
    },
    "sasakawa_award": {
        "nominee_type",
        "work_country",
        "active_since",
        "work_summary",
    },
}


@pytest.mark.parametrize("name", sorted(SHIPPED_PUBLIC))
def test_shipped_programmes_publish_their_chosen_fields(name):
    assert load_programme(PROGRAMMES / f"{name}.yaml").public_inputs == SHIPPED_PUBLIC[name]


@pytest.mark.parametrize("name", sorted(SHIPPED_PUBLIC))
def test_no_letter_evidence_or_self_assessment_is_public(name):
    programme = load_programme(PROGRAMMES / f"{name}.yaml")
    for inp in programme.inputs.values():
        if inp.kind in ("file", "evidence", "score", "narrative"):
            assert not inp.field.public, inp.name


def test_a_field_is_private_unless_marked(write_programme):
    def unmark(data):
        for section in data["sections"]:
            for field in section["fields"]:
                field.pop("public", None)

    assert load_programme(write_programme(unmark)).public_inputs == frozenset()


def test_a_public_grid_publishes_every_cell_and_a_public_file_field_its_files(write_programme):
    def mark(data):
        for section in data["sections"]:
            for field in section["fields"]:
                if field["id"] in ("essentials", "other_evidence"):
                    field["public"] = True

    public = load_programme(write_programme(mark)).public_inputs
    assert {"essentials__1__score", "essentials__1__narrative", "essentials__1__evidence"} < public
    assert "other_evidence" in public
    assert "motivation_letter" not in public


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, [True], {"en": True}])
def test_public_must_be_true_or_false(write_programme, value):
    def mark(data):
        data["sections"][0]["fields"][0]["public"] = value

    with pytest.raises(DefinitionError) as caught:
        load_programme(write_programme(mark))
    assert (
        "role_model_city.yaml",
        "sections[0].fields[0].public",
        "must be true or false",
    ) in caught.value.problems
