"""Load workflow definitions from YAML into frozen dataclasses, validating them on the way.

A definition is data, as in Plone's DCWorkflow: states with a permission -> roles map,
transitions with a guard (roles, OR; named predicates, AND), worklists as saved queries.
Every error names the file and the key so that whoever edits the YAML can find it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..yamlload import DuplicateKeyError, load_yaml

COMMENT_MODES = ("none", "optional", "required")

#: Roles every definition may use without declaring them.
BUILTIN_ROLES = ("anonymous", "authenticated")


@dataclass(frozen=True)
class Guard:
    roles: tuple[str, ...] = ()
    when: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transition:
    id: str
    title: str
    sources: tuple[str, ...]
    dest: str
    guard: Guard
    comment: str = "none"
    notify: tuple[str, ...] = ()
    description: str = ""
    #: A confirmation question shown before firing (e.g. for withdraw).
    confirm: str = ""
    #: Bootstrap colour of the button: primary, secondary, success, danger, warning.
    style: str = "secondary"


@dataclass(frozen=True)
class State:
    id: str
    title: str
    permissions: Mapping[str, frozenset[str]]
    final: bool = False
    description: str = ""
    style: str = "secondary"

    def roles_with(self, permission: str) -> frozenset[str]:
        return self.permissions.get(permission, frozenset())


@dataclass(frozen=True)
class Worklist:
    id: str
    title: str
    states: tuple[str, ...]
    roles: tuple[str, ...]
    #: Name of a registered filter narrowing the query further (optional).
    filter: str = ""
    description: str = ""


@dataclass(frozen=True)
class WorkflowDefinition:
    id: str
    title: str
    applies_to: str
    state_attribute: str
    initial: str
    roles: Mapping[str, str]
    permissions: Mapping[str, str]
    states: Mapping[str, State]
    transitions: Mapping[str, Transition]
    worklists: Mapping[str, Worklist]
    source: str = ""
    description: str = ""
    exits: Mapping[str, tuple[Transition, ...]] = field(default_factory=dict)

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        return self.exits.get(state, ())

    def state(self, state_id: str) -> State:
        return self.states[state_id]


class DefinitionError(Exception):
    """One or more problems in definition files; ``problems`` holds (file, key, message)."""

    def __init__(self, problems: Iterable[tuple[str, str, str]]):
        self.problems = list(problems)
        super().__init__(
            "\n".join(f"{file}: {key}: {message}" for file, key, message in self.problems)
        )


class _Collector:
    """Accumulate problems for one file so that all of them are reported at once."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[tuple[str, str, str]] = []

    def add(self, key: str, message: str) -> None:
        self.problems.append((self.source, key, message))

    def mapping(self, value: Any, key: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(key, "must be a mapping")
            return {}
        return value

    def names(self, value: Any, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(key, "must be a name or a list of names")
            return ()
        return tuple(value)

    def text(self, value: Any, key: str, required: bool = False) -> str:
        if value is None or value == "":
            if required:
                self.add(key, "missing title" if key.endswith("title") else "is required")
            return ""
        if not isinstance(value, str):
            self.add(key, "must be text")
            return ""
        return value


def load_definition(path: Path, predicates: Iterable[str] | None = None) -> WorkflowDefinition:
    """Read and validate one YAML file; raise DefinitionError listing every problem found."""
    source = path.name
    try:
        raw = load_yaml(path)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DefinitionError([(source, f"line {line}", exc.problem or "duplicate key")]) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError([(source, "(file)", f"not valid YAML: {exc}")]) from exc
    return parse_definition(raw, source, predicates)


def parse_definition(
    raw: Any, source: str, predicates: Iterable[str] | None = None
) -> WorkflowDefinition:
    """Validate a definition already read from YAML (``predicates``: registered guard names)."""
    c = _Collector(source)
    raw = c.mapping(raw, "(file)")
    known_predicates = None if predicates is None else frozenset(predicates)

    wf_id = c.text(raw.get("id"), "id", required=True)
    title = c.text(raw.get("title"), "title", required=True)
    applies_to = c.text(raw.get("applies_to"), "applies_to", required=True)
    state_attribute = c.text(raw.get("state_attribute") or "state", "state_attribute")
    initial = c.text(raw.get("initial"), "initial", required=True)

    roles = {str(k): str(v or k) for k, v in c.mapping(raw.get("roles"), "roles").items()}
    known_roles = set(roles) | set(BUILTIN_ROLES)
    permissions = {
        str(k): str(v or k) for k, v in c.mapping(raw.get("permissions"), "permissions").items()
    }

    states: dict[str, State] = {}
    raw_states = c.mapping(raw.get("states"), "states")
    if not raw_states:
        c.add("states", "at least one state is required")
    for state_id, body in raw_states.items():
        key = f"states.{state_id}"
        body = c.mapping(body, key)
        perm_map: dict[str, frozenset[str]] = {}
        for perm, perm_roles in c.mapping(body.get("permissions"), f"{key}.permissions").items():
            pkey = f"{key}.permissions.{perm}"
            if perm not in permissions:
                c.add(pkey, f"unknown permission {perm!r}")
            names = c.names(perm_roles, pkey)
            for role in names:
                if role not in known_roles:
                    c.add(pkey, f"unknown role {role!r}")
            perm_map[perm] = frozenset(names)
        for extra in set(body) - {"title", "permissions", "final", "description", "style"}:
            c.add(f"{key}.{extra}", "unknown key")
        states[state_id] = State(
            id=state_id,
            title=c.text(body.get("title"), f"{key}.title", required=True),
            permissions=MappingProxyType(perm_map),
            final=bool(body.get("final", False)),
            description=c.text(body.get("description"), f"{key}.description"),
            style=c.text(body.get("style"), f"{key}.style") or "secondary",
        )

    if initial and states and initial not in states:
        c.add("initial", f"unknown state {initial!r}")

    transitions: dict[str, Transition] = {}
    for tr_id, body in c.mapping(raw.get("transitions"), "transitions").items():
        key = f"transitions.{tr_id}"
        body = c.mapping(body, key)
        sources = c.names(body.get("from"), f"{key}.from")
        if not sources:
            c.add(f"{key}.from", "at least one source state is required")
        for s in sources:
            if s not in states:
                c.add(f"{key}.from", f"unknown state {s!r}")
            elif states[s].final:
                c.add(f"{key}.from", f"state {s!r} is final and cannot have exits")
        dest = c.text(body.get("to"), f"{key}.to", required=True)
        if dest and dest not in states:
            c.add(f"{key}.to", f"unknown state {dest!r}")
        guard_raw = c.mapping(body.get("guard"), f"{key}.guard")
        guard_roles = c.names(guard_raw.get("roles"), f"{key}.guard.roles")
        if not guard_roles:
            c.add(f"{key}.guard.roles", "at least one role is required")
        for role in guard_roles:
            if role not in known_roles:
                c.add(f"{key}.guard.roles", f"unknown role {role!r}")
        when = c.names(guard_raw.get("when"), f"{key}.guard.when")
        if known_predicates is not None:
            for name in when:
                if name not in known_predicates:
                    c.add(f"{key}.guard.when", f"unknown predicate {name!r}")
        comment = str(body.get("comment", "none"))
        if comment not in COMMENT_MODES:
            c.add(f"{key}.comment", f"must be one of {', '.join(COMMENT_MODES)}")
        notify = c.names(body.get("notify"), f"{key}.notify")
        for role in notify:
            if role not in known_roles:
                c.add(f"{key}.notify", f"unknown role {role!r}")
        allowed = {"title", "from", "to", "guard", "comment", "notify", "description"}
        for extra in set(body) - allowed - {"confirm", "style"}:
            c.add(f"{key}.{extra}", "unknown key")
        transitions[tr_id] = Transition(
            id=tr_id,
            title=c.text(body.get("title"), f"{key}.title", required=True),
            sources=sources,
            dest=dest,
            guard=Guard(roles=guard_roles, when=when),
            comment=comment,
            notify=notify,
            description=c.text(body.get("description"), f"{key}.description"),
            confirm=c.text(body.get("confirm"), f"{key}.confirm"),
            style=c.text(body.get("style"), f"{key}.style") or "secondary",
        )

    worklists: dict[str, Worklist] = {}
    for wl_id, body in c.mapping(raw.get("worklists"), "worklists").items():
        key = f"worklists.{wl_id}"
        body = c.mapping(body, key)
        wl_states = c.names(body.get("states"), f"{key}.states")
        if not wl_states:
            c.add(f"{key}.states", "at least one state is required")
        for s in wl_states:
            if s not in states:
                c.add(f"{key}.states", f"unknown state {s!r}")
        wl_roles = c.names(body.get("roles"), f"{key}.roles")
        if not wl_roles:
            c.add(f"{key}.roles", "at least one role is required")
        for role in wl_roles:
            if role not in known_roles:
                c.add(f"{key}.roles", f"unknown role {role!r}")
        worklists[wl_id] = Worklist(
            id=wl_id,
            title=c.text(body.get("title"), f"{key}.title", required=True),
            states=wl_states,
            roles=wl_roles,
            filter=c.text(body.get("filter"), f"{key}.filter"),
            description=c.text(body.get("description"), f"{key}.description"),
        )

    for extra in set(raw) - {
        "id", "title", "description", "applies_to", "state_attribute", "initial",
        "roles", "permissions", "states", "transitions", "worklists",
    }:  # fmt: skip
        c.add(extra, "unknown key")

    if initial in states:
        for unreachable in sorted(set(states) - _reachable(initial, transitions.values())):
            c.add(f"states.{unreachable}", "unreachable from the initial state")

    if c.problems:
        raise DefinitionError(c.problems)

    exits: dict[str, list[Transition]] = {}
    for tr in transitions.values():
        for s in tr.sources:
            exits.setdefault(s, []).append(tr)
    return WorkflowDefinition(
        id=wf_id,
        title=title,
        applies_to=applies_to,
        state_attribute=state_attribute,
        initial=initial,
        roles=MappingProxyType(roles),
        permissions=MappingProxyType(permissions),
        states=MappingProxyType(states),
        transitions=MappingProxyType(transitions),
        worklists=MappingProxyType(worklists),
        source=source,
        description=c.text(raw.get("description"), "description"),
        exits=MappingProxyType({k: tuple(v) for k, v in exits.items()}),
    )


def _reachable(initial: str, transitions: Iterable[Transition]) -> set[str]:
    edges: dict[str, set[str]] = {}
    for tr in transitions:
        for s in tr.sources:
            edges.setdefault(s, set()).add(tr.dest)
    seen = {initial}
    frontier = [initial]
    while frontier:
        for nxt in edges.get(frontier.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def load_directory(
    folder: Path, predicates: Iterable[str] | None = None
) -> dict[str, WorkflowDefinition]:
    """Load every ``*.yaml`` in ``folder``; raise one DefinitionError listing all problems."""
    predicates = None if predicates is None else tuple(predicates)
    definitions: dict[str, WorkflowDefinition] = {}
    problems: list[tuple[str, str, str]] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            definition = load_definition(path, predicates)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if definition.id in definitions:
            problems.append((path.name, "id", f"duplicate workflow id {definition.id!r}"))
        definitions[definition.id] = definition
    if problems:
        raise DefinitionError(problems)
    return definitions
