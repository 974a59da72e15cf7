"""Programme definitions (programmes/*.yaml): loading, and errors that name the file and key."""

from __future__ import annotations

import shutil

import pytest
from programmes_support import PROGRAMMES, ROOT

from recognition import create_app
from recognition.programmes.definition import (
    FIELD_TYPES,
    load_programme,
    load_programmes,
)
from recognition.workflow.definition import DefinitionError


def test_shipped_programmes_load():
    programmes = load_programmes(PROGRAMMES)
    assert set(programmes) == {"resilience_hub", "role_model_city", "sasakawa_award"}


def test_shipped_programmes_use_every_field_type():
    programmes = load_programmes(PROGRAMMES).values()
    used = {f.type for p in programmes for s in p.sections for f in s.fields}
    assert used == set(FIELD_TYPES)


def test_essentials_grid_has_a_score_and_a_narrative_per_essential():
    programme = load_programme(PROGRAMMES / "role_model_city.yaml")
    names = [n for n in programme.inputs if n.startswith("essentials__")]
    assert names[:3] == [
        "essentials__1__score",
        "essentials__1__narrative",
        "essentials__1__evidence",
    ]
    assert len(names) == 30


def test_definition_keeps_limits_help_and_required_flags():
    field = load_programme(PROGRAMMES / "role_model_city.yaml").inputs["population"].field
    assert (field.required, field.min, field.max) == (True, 1, 100000000)
    assert field.help == "Residents within the city's administrative boundary."


def _field(data, section, index):
    return data["sections"][section]["fields"][index]


def _set(path, value):
    """A change that sets data[path...] = value (a path of keys and indexes)."""

    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _min_above_max(data):
    _field(data, 0, 0).update(min=10, max=1)


def _duplicate_field(data):
    _field(data, 1, 0)["id"] = "population"


def _levels_without_levels(data):
    data["decision"] = {"kind": "levels"}


ERRORS = [
    # (what is wrong, change, key named, message)
    (
        "unknown field type",
        _set(["sections", 0, "fields", 0, "type"], "slider"),
        "sections[0].fields[0].type",
        "unknown field type 'slider'",
    ),
    (
        "duplicate field id",
        _duplicate_field,
        "sections[1].fields[0].id",
        "duplicate field id 'population'",
    ),
    (
        "choice field without choices",
        _delete(["sections", 0, "fields", 2, "choices"]),
        "sections[0].fields[2].choices",
        "a choice field needs choices",
    ),
    ("min above max", _min_above_max, "sections[0].fields[0].max", "must not be below min"),
    ("missing programme title", _delete(["title"]), "title", "missing title"),
    (
        "missing section title",
        _delete(["sections", 1, "title"]),
        "sections[1].title",
        "missing title",
    ),
    (
        "missing field title",
        _delete(["sections", 0, "fields", 1, "title"]),
        "sections[0].fields[1].title",
        "missing title",
    ),
    (
        "rule that is neither a name nor a name with parameters",
        _set(["rules", "create"], ["one_recognition_per_city", 42]),
        "rules.create[1]",
        "must be a rule's name or `name: {parameters}`",
    ),
    (
        "the strength minimum in the rubric (it is a rule)",
        _set(["rubric", "strength", "minimum"], 5),
        "rubric.strength.minimum",
        "moved: rules.recognise",
    ),
    (
        "levels decision without levels",
        _levels_without_levels,
        "decision.levels",
        "a decision by levels needs the levels",
    ),
    (
        "field id with a double underscore",
        _set(["sections", 0, "fields", 0, "id"], "city__population"),
        "sections[0].fields[0].id",
        "use letters, digits and single underscores",
    ),
    (
        "unknown key on a field",
        _set(["sections", 0, "fields", 0, "maximum"], 5),
        "sections[0].fields[0].maximum",
        "unknown key",
    ),
    (
        "score range not a number",
        _set(["sections", 2, "fields", 0, "score_min"], "one"),
        "sections[2].fields[0].score_min",
        "must be a whole number",
    ),
    (
        "quoted boolean",
        _set(["sections", 0, "fields", 0, "required"], "no"),
        "sections[0].fields[0].required",
        "must be true or false",
    ),
    (
        "word limit of zero",
        _set(["sections", 1, "fields", 0, "max_words"], 0),
        "sections[1].fields[0].max_words",
        "must be at least 1",
    ),
    (
        "criterion essential not a number",
        _set(["rubric", "criteria", 0, "essential"], "first"),
        "rubric.criteria[0].essential",
        "must be a whole number",
    ),
    (
        "programme id unfit for addresses",
        _set(["id"], "Role Model City"),
        "id",
        "use at most 64 lower-case letters, digits and underscores",
    ),
    ("no sections", _set(["sections"], []), "sections", "a list of sections is required"),
    (
        "unknown kind of nominator",
        _set(["nomination", "nominators"], ["self", "anyone"]),
        "nomination.nominators",
        "'anyone' is not one of self, partner, registered",
    ),
    (
        "a nominee nominating itself that cannot be a city",
        _set(["nomination", "nominees"], ["person"]),
        "nomination.nominators",
        "'self': a nominee nominating itself is a city",
    ),
    (
        "consent not a boolean",
        _set(["nomination", "consent"], "yes"),
        "nomination.consent",
        "true or false",
    ),
]


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [e[1:] for e in ERRORS],
    ids=[e[0] for e in ERRORS],
)
def test_definition_error_names_file_and_key(write_programme, change, key, message):
    path = write_programme(change)
    with pytest.raises(DefinitionError) as caught:
        load_programme(path)
    found = [(f, k, m[: len(message)]) for f, k, m in caught.value.problems]
    assert ("role_model_city.yaml", key, message) in found


def test_definition_error_message_reads_file_key_message(write_programme):
    path = write_programme(_set(["sections", 0, "fields", 0, "type"], "slider"))
    with pytest.raises(DefinitionError, match=r"role_model_city\.yaml: sections\[0\]\.fields"):
        load_programme(path)


def test_every_problem_of_a_file_is_reported_at_once(write_programme):
    def two_mistakes(data):
        del data["title"]
        data["eligibility"] = ["no_such_rule"]

    with pytest.raises(DefinitionError) as caught:
        load_programme(write_programme(two_mistakes))
    assert {key for _file, key, _msg in caught.value.problems} == {"title", "eligibility"}


@pytest.mark.parametrize(
    ("rules", "key", "message"),
    [
        ({"create": ["capital_cities_only"]}, "rules.create[0]", "unknown predicate"),
        ({"recognise": [{"areas_of_strength": {}}]}, "rules.recognise[0].areas_of_strength",
         "parameter 'minimum' is required"),
        ({"recognise": [{"areas_of_strength": {"minimum": "five"}}]},
         "rules.recognise[0].areas_of_strength.minimum", "must be a whole number"),
        ({"recognise": [{"areas_of_strength": {"minimum": 5, "maximum": 9}}]},
         "rules.recognise[0].areas_of_strength.maximum", "unknown parameter"),
        ({"crown": ["one_recognition_per_city"]}, "rules.crown", "unknown transition 'crown'"),
    ],
)  # fmt: skip
def test_create_app_refuses_a_programme_rule_it_cannot_enforce(
    tmp_path, write_programme, rules, key, message
):
    """Names, parameters and transitions of programme rules are checked at start-up, once
    every package has registered its predicates and the workflows are loaded."""
    for folder in ("templates", "workflows", "translations"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    write_programme(_set(["rules"], rules))
    with pytest.raises(DefinitionError) as caught:
        create_app({"RECOGNITION_ROOT": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = [(f, k, m[: len(message)]) for f, k, m in caught.value.problems]
    assert found == [("role_model_city.yaml", key, message)]


def test_duplicate_yaml_key_names_the_line(tmp_path):
    text = (PROGRAMMES / "sasakawa_award.yaml").read_text("utf-8")
    path = tmp_path / "sasakawa_award.yaml"
    path.write_text(text.replace("id: sasakawa_award\n", "id: sasakawa_award\nid: twice\n"))
    line = text.splitlines().index("id: sasakawa_award") + 2
    with pytest.raises(DefinitionError) as caught:
        load_programme(path)
    assert caught.value.problems == [
        ("sasakawa_award.yaml", f"line {line}", "found duplicate key 'id'")
    ]


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\nsections: [unclosed\n")
    with pytest.raises(DefinitionError) as caught:
        load_programme(path)
    [(file, key, message)] = caught.value.problems
    assert (file, key) == ("broken.yaml", "(file)")
    assert message.startswith("not valid YAML")


def test_two_files_with_one_programme_id_are_refused(write_programme):
    path = write_programme()
    shutil.copy(path, path.with_name("copy.yaml"))
    with pytest.raises(DefinitionError) as caught:
        load_programmes(path.parent)
    assert caught.value.problems == [
        ("role_model_city.yaml", "id", "duplicate programme id 'role_model_city'")
    ]


def test_problems_of_several_files_are_reported_together(write_programme):
    write_programme(_delete(["title"]))
    folder = write_programme(_delete(["title"]), name="sasakawa_award").parent
    with pytest.raises(DefinitionError) as caught:
        load_programmes(folder)
    assert [(f, k) for f, k, _m in caught.value.problems] == [
        ("role_model_city.yaml", "title"),
        ("sasakawa_award.yaml", "title"),
    ]


def test_create_app_refuses_to_start_with_a_broken_programme(tmp_path, write_programme):
    for folder in ("templates", "workflows", "translations"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    path = write_programme(_set(["sections", 0, "fields", 0, "type"], "slider"))
    shutil.copy(PROGRAMMES / "sasakawa_award.yaml", path.parent)
    with pytest.raises(DefinitionError) as caught:
        create_app({"RECOGNITION_ROOT": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert caught.value.problems == [
        (
            "role_model_city.yaml",
            "sections[0].fields[0].type",
            "unknown field type 'slider' (one of " + ", ".join(FIELD_TYPES) + ")",
        )
    ]


def test_create_app_starts_with_the_copied_programmes(tmp_path, write_programme):
    """The control for the test above: the same copy, unbroken, starts."""
    for folder in ("templates", "workflows", "translations"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    write_programme()
    app = create_app({"RECOGNITION_ROOT": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert list(app.extensions["programmes"]) == ["role_model_city"]
