"""Load workflow definitions from YAML into frozen dataclasses, validating them on the way.

A definition is data, as in Plone's DCWorkflow: states with a permission -> roles map and
tags saying what they mean, transitions with a guard (roles, OR; a permission; named rules,
AND), worklists as saved queries. Every error names the file and the key so that whoever
edits the YAML can find it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ..yamlload import DuplicateKeyError, load_yaml
from .rules import Collector, DefinitionError, Predicates, Rule, flag, parse_rules

COMMENT_MODES = ("none", "optional", "required")

#: Roles every definition may use without declaring them.
BUILTIN_ROLES = ("anonymous", "authenticated")

#: The history's name for an object's creation (``engine.create``); no transition may use it.
CREATED = "create"


@dataclass(frozen=True)
class Guard:
    """Who may fire a transition: any of ``roles`` (OR), the ``permission`` in the current
    state, and every rule of ``when`` (AND), as DCWorkflow's guards."""

    roles: tuple[str, ...] = ()
    permission: str = ""
    when: tuple[Rule, ...] = ()


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
    #: Offered as a button of the state menu (false: a form of its own fires it).
    menu: bool = True
    #: Offered over a selection of objects (worklists' bulk actions).
    bulk: bool = True
    #: The actor receives the notification too (a receipt), not only the other recipients.
    receipt: bool = False
    #: Notifications quote the transition's comment.
    notify_comment: bool = True
    #: The notification's subject and first line (msgids; ``%(title)s`` names the object).
    subject: str = ""
    opening: str = ""


@dataclass(frozen=True)
class Embargo:
    """What a state keeps from those it concerns until a rule holds: while ``until`` refuses,
    anyone without one of the ``seen_by`` roles sees the object as in state ``shown_as``
    (title, style, description) and its history only up to it."""

    until: Rule
    shown_as: str
    seen_by: tuple[str, ...]


@dataclass(frozen=True)
class State:
    id: str
    title: str
    permissions: Mapping[str, frozenset[str]]
    final: bool = False
    description: str = ""
    style: str = "secondary"
    #: What the state means to the code ("active", "public", ...): code asks for tags.
    tags: frozenset[str] = frozenset()
    #: The state kept from most viewers until a rule holds (a decision before its announcement).
    embargo: Embargo | None = None

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
    #: Who may create an object (``engine.create``); None: no check beyond the code's.
    creation: Guard | None = None
    #: Roles that an invitation may grant (site.yaml: ``invite: true``).
    invitable: tuple[str, ...] = ()
    #: The definition's version: the SHA-256 of its YAML file (of the parsed mapping when it
    #: came from no file). Every history row records the version it was made under.
    version: str = ""

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        return self.exits.get(state, ())

    def state(self, state_id: str) -> State:
        return self.states[state_id]

    @property
    def tags(self) -> frozenset[str]:
        return frozenset().union(*(s.tags for s in self.states.values()))

    def states_tagged(self, tag: str) -> tuple[str, ...]:
        """The ids of the states carrying ``tag``; an unknown tag is an error, not nothing."""
        if tag not in self.tags:
            raise KeyError(f"{self.source}: no state is tagged {tag!r}")
        return tuple(s.id for s in self.states.values() if tag in s.tags)

    def roles_with(self, permission: str) -> frozenset[str]:
        """Every role granted ``permission`` in some state."""
        return frozenset().union(*(s.roles_with(permission) for s in self.states.values()))

    def walk(self, path: Iterable[str], start: str | None = None) -> str:
        """The state reached from ``start`` (the initial one) by firing ``path``'s transitions
        in order (synthetic data follows the workflow); an impossible step is an error."""
        state = start or self.initial
        for name in path:
            transition = self.transitions[name]
            if state not in transition.sources:
                raise ValueError(f"{self.source}: {name!r} is not possible from {state!r}")
            state = transition.dest
        return state


def load_definition(path: Path, predicates: Predicates = None) -> WorkflowDefinition:
    """Read and validate one YAML file; raise DefinitionError listing every problem found."""
    source = path.name
    try:
        raw = load_yaml(path)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise DefinitionError([(source, f"line {line}", exc.problem or "duplicate key")]) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError([(source, "(file)", f"not valid YAML: {exc}")]) from exc
    version = hashlib.sha256(path.read_bytes()).hexdigest()
    return parse_definition(raw, source, predicates, version=version)


def _parse_guard(
    c: Collector,
    raw: Any,
    key: str,
    known_roles: set[str],
    permissions: Mapping[str, str],
    predicates: Predicates,
) -> Guard:
    guard_raw = c.mapping(raw, key)
    for extra in set(guard_raw) - {"roles", "permission", "when"}:
        c.add(f"{key}.{extra}", "unknown key")
    roles = c.names(guard_raw.get("roles"), f"{key}.roles")
    permission = c.text(guard_raw.get("permission"), f"{key}.permission")
    if not roles and not permission:
        c.add(f"{key}.roles", "at least one role (or a permission) is required")
    for role in roles:
        if role not in known_roles:
            c.add(f"{key}.roles", f"unknown role {role!r}")
    if permission and permission not in permissions:
        c.add(f"{key}.permission", f"unknown permission {permission!r}")
    when = parse_rules(c, guard_raw.get("when"), f"{key}.when", predicates)
    return Guard(roles=roles, permission=permission, when=when)


def parse_definition(
    raw: Any, source: str, predicates: Predicates = None, *, version: str = ""
) -> WorkflowDefinition:
    """Validate a definition already read from YAML (``predicates``: the registered rules;
    ``version``: the file's hash, else one of the mapping is taken)."""
    c = Collector(source)
    raw = c.mapping(raw, "(file)")
    if predicates is not None and not isinstance(predicates, Mapping):
        predicates = frozenset(predicates)

    wf_id = c.text(raw.get("id"), "id", required=True)
    title = c.text(raw.get("title"), "title", required=True)
    applies_to = c.text(raw.get("applies_to"), "applies_to", required=True)
    state_attribute = c.text(raw.get("state_attribute") or "state", "state_attribute")
    initial = c.text(raw.get("initial"), "initial", required=True)

    roles: dict[str, str] = {}
    invitable: list[str] = []
    for role, body in c.mapping(raw.get("roles"), "roles").items():
        if isinstance(body, Mapping):
            for extra in set(body) - {"title", "invite"}:
                c.add(f"roles.{role}.{extra}", "unknown key")
            roles[str(role)] = c.text(body.get("title"), f"roles.{role}.title") or str(role)
            if flag(c, body, "invite", f"roles.{role}", False):
                invitable.append(str(role))
        else:
            roles[str(role)] = str(body or role)
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
        allowed = {"title", "permissions", "final", "description", "style", "tags", "embargo"}
        for extra in set(body) - allowed:
            c.add(f"{key}.{extra}", "unknown key")
        embargo = None
        if body.get("embargo") is not None:
            embargo_raw = c.mapping(body.get("embargo"), f"{key}.embargo")
            for extra in set(embargo_raw) - {"until", "shown_as", "seen_by"}:
                c.add(f"{key}.embargo.{extra}", "unknown key")
            until = parse_rules(c, embargo_raw.get("until"), f"{key}.embargo.until", predicates)
            if len(until) != 1:
                c.add(f"{key}.embargo.until", "one rule is required")
            shown_as = c.text(embargo_raw.get("shown_as"), f"{key}.embargo.shown_as", True)
            if shown_as and shown_as not in raw_states:
                c.add(f"{key}.embargo.shown_as", f"unknown state {shown_as!r}")
            seen_by = c.names(embargo_raw.get("seen_by"), f"{key}.embargo.seen_by")
            for role in seen_by:
                if role not in known_roles:
                    c.add(f"{key}.embargo.seen_by", f"unknown role {role!r}")
            if len(until) == 1:
                embargo = Embargo(until[0], shown_as, seen_by)
        tags = c.names(body.get("tags"), f"{key}.tags")
        for tag in tags:
            if tag in raw_states:
                # Code asks for tags and the history stores state ids: keep them apart.
                c.add(f"{key}.tags", f"tag {tag!r} is also the name of a state")
        states[state_id] = State(
            id=state_id,
            title=c.text(body.get("title"), f"{key}.title", required=True),
            permissions=MappingProxyType(perm_map),
            final=flag(c, body, "final", key, False),
            description=c.text(body.get("description"), f"{key}.description"),
            style=c.text(body.get("style"), f"{key}.style") or "secondary",
            tags=frozenset(tags),
            embargo=embargo,
        )

    if initial and states and initial not in states:
        c.add("initial", f"unknown state {initial!r}")

    transitions: dict[str, Transition] = {}
    for tr_id, body in c.mapping(raw.get("transitions"), "transitions").items():
        key = f"transitions.{tr_id}"
        if tr_id == CREATED:
            c.add(key, f"{CREATED!r} is the history's name for creation: choose another")
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
        guard = _parse_guard(
            c, body.get("guard"), f"{key}.guard", known_roles, permissions, predicates
        )
        comment = str(body.get("comment", "none"))
        if comment not in COMMENT_MODES:
            c.add(f"{key}.comment", f"must be one of {', '.join(COMMENT_MODES)}")
        notify = c.names(body.get("notify"), f"{key}.notify")
        for role in notify:
            if role not in known_roles:
                c.add(f"{key}.notify", f"unknown role {role!r}")
        allowed = {
            "title", "from", "to", "guard", "comment", "notify", "description", "confirm",
            "style", "menu", "bulk", "receipt", "notify_comment", "message",
        }  # fmt: skip
        for extra in set(body) - allowed:
            c.add(f"{key}.{extra}", "unknown key")
        message = c.mapping(body.get("message"), f"{key}.message")
        for extra in set(message) - {"subject", "opening"}:
            c.add(f"{key}.message.{extra}", "unknown key")
        transitions[tr_id] = Transition(
            id=tr_id,
            title=c.text(body.get("title"), f"{key}.title", required=True),
            sources=sources,
            dest=dest,
            guard=guard,
            comment=comment,
            notify=notify,
            description=c.text(body.get("description"), f"{key}.description"),
            confirm=c.text(body.get("confirm"), f"{key}.confirm"),
            style=c.text(body.get("style"), f"{key}.style") or "secondary",
            menu=flag(c, body, "menu", key, True),
            bulk=flag(c, body, "bulk", key, True),
            receipt=flag(c, body, "receipt", key, False),
            notify_comment=flag(c, body, "notify_comment", key, True),
            subject=c.text(message.get("subject"), f"{key}.message.subject"),
            opening=c.text(message.get("opening"), f"{key}.message.opening"),
        )

    creation = None
    if raw.get("creation") is not None:
        creation_raw = c.mapping(raw.get("creation"), "creation")
        for extra in set(creation_raw) - {"guard"}:
            c.add(f"creation.{extra}", "unknown key")
        creation = _parse_guard(
            c, creation_raw.get("guard"), "creation.guard", known_roles, permissions, predicates
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
        for extra in set(body) - {"title", "states", "roles", "filter", "description"}:
            c.add(f"{key}.{extra}", "unknown key")
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
        "roles", "permissions", "states", "transitions", "worklists", "creation",
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
        creation=creation,
        invitable=tuple(invitable),
        version=version
        or hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest(),
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


def load_directory(folder: Path, predicates: Predicates = None) -> dict[str, WorkflowDefinition]:
    """Load every ``*.yaml`` in ``folder``; raise one DefinitionError listing all problems."""
    if predicates is not None and not isinstance(predicates, Mapping):
        predicates = frozenset(predicates)
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
    state_ids = {s for d in definitions.values() for s in d.states}
    for definition in definitions.values():
        for state in definition.states.values():
            for tag in sorted(state.tags & state_ids):
                problems.append(
                    (
                        definition.source,
                        f"states.{state.id}.tags",
                        f"tag {tag!r} is also the name of a state (in another workflow)",
                    )
                )
    if problems:
        raise DefinitionError(problems)
    return definitions
