"""``flask workflow validate|graph|show``, and an app that refuses a bad definition."""

from __future__ import annotations

import shutil

import pytest
import yaml
from workflow_support import DEFINITIONS, ROOT, WORKFLOWS

from recognition import create_app
from recognition.workflow.definition import DefinitionError


def test_validate_passes_on_the_shipped_workflows(runner):
    result = runner.invoke(args=["workflow", "validate"])
    assert result.exit_code == 0, result.output
    for path in sorted(WORKFLOWS.glob("*.yaml")):
        assert f"{path.name}: ok" in result.output


def test_validate_fails_on_a_bad_file_and_says_why(runner, tmp_path):
    raw = yaml.safe_load((WORKFLOWS / "city.yaml").read_text(encoding="utf-8"))
    raw["transitions"]["verify"]["guard"]["when"] = ["city_has_a_mayor"]
    raw["states"]["verified"]["permissions"]["edit"] = ["member", "mayor"]
    bad = tmp_path / "city-edited.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")

    result = runner.invoke(args=["workflow", "validate", str(bad)])

    assert result.exit_code == 1
    assert (
        "city-edited.yaml: transitions.verify.guard.when[0]: unknown predicate 'city_has_a_mayor'"
    ) in result.stderr
    assert "city-edited.yaml: states.verified.permissions.edit: unknown role 'mayor'" in (
        result.stderr
    )
    assert ": ok" not in result.output


def test_validate_checks_each_named_file(runner, tmp_path):
    good = WORKFLOWS / "city.yaml"
    bad = tmp_path / "empty.yaml"
    bad.write_text("id: empty\n", encoding="utf-8")
    result = runner.invoke(args=["workflow", "validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert "city.yaml: ok" in result.output
    assert "empty.yaml: title: missing title" in result.stderr


def test_validate_refuses_a_path_that_does_not_exist(runner, tmp_path):
    result = runner.invoke(args=["workflow", "validate", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_graph_prints_mermaid_with_titles(runner):
    result = runner.invoke(args=["workflow", "graph", "nomination"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "stateDiagram-v2" in text
    assert "[*] --> draft" in text
    definition = DEFINITIONS["nomination"]
    for state in definition.states.values():
        assert f'state "{state.title}" as {state.id}' in text
    for transition in definition.transitions.values():
        for source in transition.sources:
            assert f"{source} --> {transition.dest}: {transition.title}" in text


def test_graph_of_an_unknown_workflow_fails(runner):
    result = runner.invoke(args=["workflow", "graph", "nothing"])
    assert result.exit_code != 0
    assert "no workflow named 'nothing'" in result.output


def test_show_prints_the_permission_table_and_transitions(runner):
    result = runner.invoke(args=["workflow", "show", "nomination"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines[0].split()
    assert header[0] == "state"
    assert "view" in header and "decide" in header
    rows = {line.split()[0]: line for line in lines[1:] if line and ":" not in line}
    assert set(rows) == set(DEFINITIONS["nomination"].states)
    assert "anonymous" in rows["announced"]
    assert "return: submitted, under_review -> returned [secretariat]" in result.output
    assert (
        "submit: draft -> submitted [owner] "
        "when nominator_is_verified, nominee_consented, call_is_open, nomination_is_complete"
    ) in result.output


def _project_copy(tmp_path):
    root = tmp_path / "root"
    for folder in ("templates", "workflows", "programmes", "translations"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def _start(root, tmp_path):
    return create_app(
        {
            "RECOGNITION_ROOT": str(root),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "test",
            "TESTING": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RECOGNITION_UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )


def test_the_app_refuses_to_start_with_a_bad_definition(tmp_path):
    root = _project_copy(tmp_path)
    path = root / "workflows" / "city.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["transitions"]["verify"]["to"] = "approved"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")

    with pytest.raises(DefinitionError) as caught:
        _start(root, tmp_path)
    assert ("city.yaml", "transitions.verify.to", "unknown state 'approved'") in (
        caught.value.problems
    )


def test_the_app_refuses_to_start_with_an_unknown_worklist_filter(tmp_path):
    root = _project_copy(tmp_path)
    path = root / "workflows" / "city.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["worklists"]["awaiting_verification"]["filter"] = "in_my_region"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")

    with pytest.raises(DefinitionError) as caught:
        _start(root, tmp_path)
    assert caught.value.problems == [
        ("city.yaml", "worklists.awaiting_verification.filter", "unknown filter 'in_my_region'")
    ]
