"""Loading and validating workflow definitions: each kind of error names the file and key."""

from __future__ import annotations

import copy
import textwrap

import pytest
import yaml
from workflow_support import WORKFLOWS

from recognition.workflow import guards
from recognition.workflow.definition import (
    BUILTIN_ROLES,
    DefinitionError,
    load_definition,
    load_directory,
    parse_definition,
)
from recognition.workflow.registry import registry
from recognition.workflow.security import global_roles, local_roles_of
from recognition.workflow.worklists import validate_filters

#: The smallest definition using every feature; each test below breaks one thing in it.
VALID = {
    "id": "thing",
    "title": "Thing",
    "applies_to": "thing",
    "initial": "new",
    "roles": {"owner": "Owner", "secretariat": "Secretariat"},
    "permissions": {"view": "View", "edit": "Edit"},
    "states": {
        "new": {
            "title": "New",
            "permissions": {"view": ["owner", "secretariat"], "edit": "owner"},
        },
        "done": {"title": "Done", "final": True, "permissions": {"view": ["anonymous"]}},
    },
    "transitions": {
        "finish": {
            "title": "Finish",
            "from": "new",
            "to": "done",
            "guard": {"roles": ["secretariat"], "when": ["ok"]},
            "comment": "optional",
            "notify": ["owner"],
        }
    },
    "worklists": {"todo": {"title": "To do", "states": ["new"], "roles": ["secretariat"]}},
}


def write(tmp_path, raw, name="thing.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def broken(change):
    raw = copy.deepcopy(VALID)
    change(raw)
    return raw


def test_the_valid_definition_loads(tmp_path):
    definition = load_definition(write(tmp_path, VALID), predicates={"ok"})
    assert definition.id == "thing"
    assert definition.source == "thing.yaml"
    assert definition.state_attribute == "state"
    assert definition.states["new"].roles_with("edit") == frozenset({"owner"})
    assert definition.states["done"].final
    finish = definition.transitions["finish"]
    assert (finish.sources, finish.dest, finish.comment) == (("new",), "done", "optional")
    assert finish.guard.roles == ("secretariat",)
    assert [rule.name for rule in finish.guard.when] == ["ok"]
    assert definition.transitions_from("new") == (finish,)
    assert definition.transitions_from("done") == ()
    assert definition.worklists["todo"].states == ("new",)


def _set(path: str, value):
    """A change to VALID: set the value at a dotted path (``None`` removes the key)."""

    def change(raw):
        *parents, last = path.split(".")
        node = raw
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value

    return change


def _add(path: str, key: str, value):
    def change(raw):
        node = raw
        for part in path.split("."):
            node = node[part]
        node[key] = value

    return change


# (change, key, message): one for each kind of error the loader reports.
ERRORS = {
    "unknown state in from": (
        _set("transitions.finish.from", ["new", "nowhere"]),
        "transitions.finish.from",
        "unknown state 'nowhere'",
    ),
    "unknown state in to": (
        _set("transitions.finish.to", "nowhere"),
        "transitions.finish.to",
        "unknown state 'nowhere'",
    ),
    "unknown state in worklist": (
        _set("worklists.todo.states", ["new", "nowhere"]),
        "worklists.todo.states",
        "unknown state 'nowhere'",
    ),
    "unknown initial state": (_set("initial", "nowhere"), "initial", "unknown state 'nowhere'"),
    "unknown role in permission map": (
        _set("states.new.permissions.edit", ["owner", "editor"]),
        "states.new.permissions.edit",
        "unknown role 'editor'",
    ),
    "unknown role in guard": (
        _set("transitions.finish.guard.roles", ["secretariat", "mayor"]),
        "transitions.finish.guard.roles",
        "unknown role 'mayor'",
    ),
    "unknown role in notify": (
        _set("transitions.finish.notify", ["owner", "press"]),
        "transitions.finish.notify",
        "unknown role 'press'",
    ),
    "unknown role in worklist": (
        _set("worklists.todo.roles", ["mayor"]),
        "worklists.todo.roles",
        "unknown role 'mayor'",
    ),
    "guard without roles": (
        _set("transitions.finish.guard.roles", []),
        "transitions.finish.guard.roles",
        "at least one role (or a permission) is required",
    ),
    "unknown permission": (
        _set("states.new.permissions.delete", ["owner"]),
        "states.new.permissions.delete",
        "unknown permission 'delete'",
    ),
    "unknown predicate": (
        _set("transitions.finish.guard.when", ["ok", "moon_is_full"]),
        "transitions.finish.guard.when[1]",
        "unknown predicate 'moon_is_full'",
    ),
    "unreachable state": (
        _add("states", "limbo", {"title": "Limbo"}),
        "states.limbo",
        "unreachable from the initial state",
    ),
    "exit from a final state": (
        _add(
            "transitions",
            "reopen",
            {"title": "Reopen", "from": "done", "to": "new", "guard": {"roles": "owner"}},
        ),
        "transitions.reopen.from",
        "state 'done' is final and cannot have exits",
    ),
    "missing state title": (_set("states.new.title", None), "states.new.title", "missing title"),
    "missing transition title": (
        _set("transitions.finish.title", None),
        "transitions.finish.title",
        "missing title",
    ),
    "missing worklist title": (
        _set("worklists.todo.title", ""),
        "worklists.todo.title",
        "missing title",
    ),
    "missing top-level title": (_set("title", None), "title", "missing title"),
    "bad comment mode": (
        _set("transitions.finish.comment", "sometimes"),
        "transitions.finish.comment",
        "must be one of none, optional, required",
    ),
    "unknown key in a state": (
        _set("states.new.colour", "red"),
        "states.new.colour",
        "unknown key",
    ),
    "unknown top-level key": (_set("owner", "me"), "owner", "unknown key"),
}


@pytest.mark.parametrize(("change", "key", "message"), ERRORS.values(), ids=ERRORS.keys())
def test_each_error_names_the_file_and_the_key(tmp_path, change, key, message):
    path = write(tmp_path, broken(change))
    with pytest.raises(DefinitionError) as caught:
        load_definition(path, predicates={"ok"})
    assert ("thing.yaml", key, message) in caught.value.problems
    assert f"thing.yaml: {key}: {message}" in str(caught.value)


@pytest.mark.parametrize(("change", "key", "message"), ERRORS.values(), ids=ERRORS.keys())
def test_parse_definition_reports_the_same_errors(change, key, message):
    with pytest.raises(DefinitionError) as caught:
        parse_definition(broken(change), "inline.yaml", predicates={"ok"})
    assert ("inline.yaml", key, message) in caught.value.problems


def test_every_problem_is_reported_at_once(tmp_path):
    def two_mistakes(raw):
        raw["states"]["new"]["title"] = ""
        raw["transitions"]["finish"]["to"] = "nowhere"

    with pytest.raises(DefinitionError) as caught:
        load_definition(write(tmp_path, broken(two_mistakes)), predicates={"ok"})
    keys = {key for _file, key, _message in caught.value.problems}
    assert {"states.new.title", "transitions.finish.to"} <= keys


def test_predicates_are_checked_only_when_known():
    """Without the registry (e.g. an editor's linter), unknown predicates are not guessed at."""
    definition = parse_definition(copy.deepcopy(VALID), "thing.yaml", predicates=None)
    assert [rule.name for rule in definition.transitions["finish"].guard.when] == ["ok"]


def test_a_duplicate_transition_is_an_error_not_an_overwrite(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            id: thing
            title: Thing
            applies_to: thing
            initial: new
            roles: {secretariat: Secretariat}
            permissions: {view: View}
            states:
              new: {title: New}
              done: {title: Done, final: true}
            transitions:
              finish:
                title: Finish
                from: new
                to: done
                guard: {roles: [secretariat]}
              finish:
                title: Finish again
                from: new
                to: done
                guard: {roles: [secretariat]}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.problems == [("dup.yaml", "line 16", "found duplicate key 'finish'")]
    assert "dup.yaml: line 16: found duplicate key 'finish'" in str(caught.value)


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    [(file, key, message)] = caught.value.problems
    assert (file, key) == ("bad.yaml", "(file)")
    assert message.startswith("not valid YAML")


def test_two_files_with_one_id_are_refused(tmp_path):
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID, "b.yaml")
    with pytest.raises(DefinitionError) as caught:
        load_directory(tmp_path, predicates={"ok"})
    assert caught.value.problems == [("b.yaml", "id", "duplicate workflow id 'thing'")]


def test_load_directory_reports_problems_of_every_file(tmp_path):
    write(tmp_path, broken(_set("title", None)), "a.yaml")
    write(tmp_path, broken(_set("transitions.finish.to", "nowhere")), "b.yaml")
    with pytest.raises(DefinitionError) as caught:
        load_directory(tmp_path, predicates={"ok"})
    assert {(f, k) for f, k, _m in caught.value.problems} >= {
        ("a.yaml", "title"),
        ("b.yaml", "transitions.finish.to"),
    }


def test_the_shipped_workflows_validate(rolled_back_app):
    definitions = load_directory(WORKFLOWS, guards.names())
    assert set(definitions) == {
        "nomination",
        "review",
        "call",
        "city",
        "site",
        "partner",
        "letter",
        "city_stage",
        "annual_report",
    }
    assert validate_filters(definitions) == []
    for definition in definitions.values():
        assert definition.source == f"{definition.id}.yaml"
        assert not any(
            definition.transitions_from(s.id) for s in definition.states.values() if s.final
        )


def test_an_unknown_worklist_filter_is_reported(rolled_back_app, tmp_path):
    definition = parse_definition(
        broken(_set("worklists.todo.filter", "mine_only")), "thing.yaml", predicates={"ok"}
    )
    assert validate_filters({"thing": definition}) == [
        ("thing.yaml", "worklists.todo.filter", "unknown filter 'mine_only'")
    ]


def test_definitions_are_frozen(tmp_path):
    definition = load_definition(write(tmp_path, VALID), predicates={"ok"})
    with pytest.raises(AttributeError):
        definition.initial = "done"
    with pytest.raises(TypeError):
        definition.states["new"].permissions["edit"] = frozenset({"anonymous"})
    with pytest.raises(TypeError):
        definition.transitions["other"] = definition.transitions["finish"]


def _roles_used(definition) -> set[str]:
    used = {
        r for s in definition.states.values() for roles in s.permissions.values() for r in roles
    }
    for t in definition.transitions.values():
        used |= {*t.guard.roles, *t.notify}
    for w in definition.worklists.values():
        used |= set(w.roles)
    return used


def test_every_role_a_workflow_uses_can_be_held(rolled_back_app):
    """A role is built in, global, or granted by a local-role provider for the workflow's
    objects; else no one ever holds it (as when a provider names the wrong object type)."""
    for definition in registry().definitions.values():
        providers = {p.name for p in local_roles_of(definition.applies_to)}
        holdable = providers | global_roles() | set(BUILTIN_ROLES)
        assert _roles_used(definition) <= holdable, (definition.id, _roles_used(definition))
