"""The only writer of state columns: create(obj, actor) and fire(obj, transition, actor, ...).

fire() checks, in this order, the version the user saw, the state, the guard (roles, OR; the
permission; the comment rule), prepares the transition's data, locks what its rules count,
evaluates every rule (the definition's and the object's programme's); only then does it
move the object through the definition's shared transitions.Machine, run the operation
registered for the transition (which writes its data: a decision's areas, level, decider),
append a WorkflowEvent and announce the transition (the outbox listens and queues
notifications) — all in the caller's database transaction. It flushes; the view commits
once. Whatever a concurrent change breaks on the way (a stale row at any flush, autoflush
included; a deadlock; a lock not granted) is reported as ConcurrentChange.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..i18n import gettext
from ..i18n import lazy_gettext as _l
from ..timeutil import utcnow
from . import guards
from .chain import link, row_digest
from .definition import CREATED, Guard, Rule, State, Transition, WorkflowDefinition
from .history import WorkflowEvent, head, heads
from .locking import is_concurrency_error, lock_row
from .registry import definition_for, extra_rules, machine_for
from .security import can, forget_roles, remembering, roles_for

signals = Namespace()
#: Sent after a transition is applied and its history row added (sender: the object).
transition_fired = signals.signal("transition-fired")
#: Sent when create() added an object in its initial state (its "created" history row).
object_created = signals.signal("object-created")
#: Sent once by a bulk write, before ``transition_fired`` for each of its objects (sender:
#: the transition; ``objs``): a receiver may read for them all at once what it will need
#: for each (e.g. the people to notify).
transitions_fired = signals.signal("transitions-fired")


class WorkflowError(Exception):
    """A refused transition; ``message`` is a translatable explanation for the user."""

    status = 409

    def __init__(self, message: Any, transition: str = "", detail: str = ""):
        self.message = message
        self.transition = transition
        self.detail = detail
        super().__init__(f"{transition}: {detail or message}")


class UnknownTransition(WorkflowError):
    status = 404


class WrongState(WorkflowError):
    pass


class NotAllowed(WorkflowError):
    status = 403


class CommentRequired(WorkflowError):
    status = 400


class ConditionNotMet(WorkflowError):
    pass


class ConcurrentChange(WorkflowError):
    """Someone else changed the object between reading and writing it."""


CONCURRENT_MESSAGE = _l("This item was changed by someone else. Reload the page and try again.")


@contextmanager
def concurrency_guarded(transition: str = "") -> Iterator[None]:
    """Turn a concurrent change met anywhere in the block into ConcurrentChange."""
    try:
        yield
    except (StaleDataError, sa.exc.DBAPIError) as exc:
        if not is_concurrency_error(exc):
            raise
        detail = "stale row" if isinstance(exc, StaleDataError) else "rows locked or changed"
        raise ConcurrentChange(CONCURRENT_MESSAGE, transition, detail) from exc


# -- operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """The work a transition carries: ``prepare`` reads and completes the user's data before
    the rules are checked (no writes); ``apply`` writes it once they have passed and returns
    the facts the history keeps."""

    apply: Callable[[Any, Any, Mapping[str, Any]], Mapping[str, Any] | None]
    prepare: Callable[[Any, Any, Mapping[str, Any]], Mapping[str, Any]] | None = None


_operations: dict[tuple[str, str], Operation] = {}


def operation(workflow: str, transition: str, *, prepare=None):
    """Register ``apply(obj, actor, data) -> facts | None`` as the transition's operation."""

    def register(apply):
        _operations[(workflow, transition)] = Operation(apply, prepare)
        return apply

    return register


def operation_for(definition: WorkflowDefinition, transition: str) -> Operation | None:
    return _operations.get((definition.id, transition))


# -- checks --------------------------------------------------------------------------------


def state_of(obj: Any) -> str:
    return getattr(obj, definition_for(obj).state_attribute)


def embargoed(user: Any, obj: Any) -> bool:
    """Whether the state ``obj`` is in is kept from ``user`` now (its ``embargo``: a decision
    before its announcement is kept from the city)."""
    definition = definition_for(obj)
    embargo = definition.states[getattr(obj, definition.state_attribute)].embargo
    if embargo is None or not roles_for(user, obj).isdisjoint(embargo.seen_by):
        return False
    rule = embargo.until
    return guards.get(rule.name).func(obj, user, {}, **rule.params) is not None


def displayed_state(user: Any, obj: Any) -> State:
    """The state ``user`` is shown: the one ``obj`` is in, or the one its embargo shows."""
    definition = definition_for(obj)
    state = definition.states[getattr(obj, definition.state_attribute)]
    return definition.states[state.embargo.shown_as] if embargoed(user, obj) else state


def visible_history(user: Any, obj: Any, events: list[WorkflowEvent]) -> list[WorkflowEvent]:
    """The history ``user`` may read: under an embargo, the events into embargoed states (the
    decision) are left out until it lifts."""
    if not embargoed(user, obj):
        return events
    states = definition_for(obj).states
    return [e for e in events if states.get(e.to_state) is None or not states[e.to_state].embargo]


def state_title(obj: Any, user: Any = None) -> str:
    """The translated title of the state ``obj`` is in (as ``user`` is shown it, if given)."""
    definition = definition_for(obj)
    if user is not None:
        return gettext(displayed_state(user, obj).title)
    return gettext(definition.states[getattr(obj, definition.state_attribute)].title)


def _allowed(guard: Guard, actor: Any, obj: Any) -> bool:
    """Roles (any of them) and permission (in the current state), as DCWorkflow's guard."""
    if guard.roles and roles_for(actor, obj).isdisjoint(guard.roles):
        return False
    return not guard.permission or can(actor, guard.permission, obj)


@dataclass
class Checked:
    """What check() found: the transition, the prepared data, the rules overridden."""

    transition: Transition | None
    data: dict[str, Any]
    overridden: list[str] = field(default_factory=list)

    def facts(self) -> dict[str, Any]:
        if not self.overridden:
            return {}
        return {"overridden": self.overridden, "override_reason": _override_reason(self.data)}


def _override_reason(data: Mapping[str, Any]) -> str:
    return str(data.get("override_reason") or "").strip()


def evaluate(
    obj: Any,
    actor: Any,
    rules: Iterable[Rule],
    data: Mapping[str, Any],
    name: str,
    *,
    lock: bool = True,
) -> list[str]:
    """Check every rule; return the names of those overridden with a reason.

    Rules that count what a quota allows lock the row they count under first (``lock``):
    concurrent transitions then count one after the other.
    """
    rules = tuple(rules)
    if lock:
        for rule in rules:
            locks = guards.get(rule.name).locks
            if locks is not None:
                lock_row(locks(obj))
    overridden = []
    # Predicates read what the user decided, and which transition (or creation) asks.
    context = {**data, "transition": name}
    for rule in rules:
        reason = guards.get(rule.name).func(obj, actor, context, **rule.params)
        if reason is None:
            continue
        if rule.override and _override_reason(data):
            overridden.append(rule.name)
            continue
        if rule.override:
            reason = _l(
                "%(reason)s To go ahead anyway, give a reason: the history keeps it.",
                reason=reason,
            )
        raise ConditionNotMet(reason, name, f"rule {rule.name!r}")
    return overridden


def check(
    obj: Any,
    name: str,
    actor: Any,
    comment: str | None = None,
    data: Mapping[str, Any] | None = None,
    *,
    lock: bool = False,
) -> Checked:
    """Return what firing ``name`` would do if ``actor`` may fire it now; raise the reason
    otherwise. Writes nothing (``lock`` takes the rules' row locks)."""
    definition = definition_for(obj)
    transition = definition.transitions.get(name)
    if transition is None:
        raise UnknownTransition(_l("There is no such action."), name, "unknown transition")
    current = getattr(obj, definition.state_attribute)
    if current not in transition.sources:
        raise WrongState(
            _l(
                "This action is not possible while the item is “%(state)s”.",
                state=_l(definition.states[current].title),
            ),
            name,
            f"not from state {current!r}",
        )
    if not _allowed(transition.guard, actor, obj):
        raise NotAllowed(_l("You are not allowed to do this."), name, "role not allowed")
    if transition.comment == "required" and not (comment or "").strip():
        raise CommentRequired(_l("A comment is required for this action."), name, "comment")
    prepared = {**(data or {}), "comment": (comment or "").strip()}
    op = operation_for(definition, name)
    if op is not None and op.prepare is not None:
        prepared = dict(op.prepare(obj, actor, prepared))
    rules = (*transition.guard.when, *extra_rules(obj, name))
    overridden = evaluate(obj, actor, rules, prepared, name, lock=lock)
    return Checked(transition, prepared, overridden)


# -- writing -------------------------------------------------------------------------------


def fire(
    obj: Any,
    name: str,
    actor: Any,
    comment: str | None = None,
    *,
    expected_version: int | None = None,
    data: Mapping[str, Any] | None = None,
) -> WorkflowEvent:
    """Fire transition ``name`` on ``obj`` as ``actor``; flush; return the history row.

    ``expected_version`` is the version the user saw (a form's hidden field): if the object
    moved on since, the transition is refused as a concurrent change. ``data`` is what the
    user decided with the transition (e.g. areas of strength), for its rules and operation.
    """
    definition = definition_for(obj)
    version_attr = _version_attribute(obj)
    if (
        expected_version is not None
        and version_attr
        and getattr(obj, version_attr) != expected_version
    ):
        raise ConcurrentChange(CONCURRENT_MESSAGE, name, "version mismatch")
    with concurrency_guarded(name):
        checked = check(obj, name, actor, comment, data, lock=True)
        transition = checked.transition
        source = getattr(obj, definition.state_attribute)
        machine_for(definition).events[name].trigger(obj)
        op = operation_for(definition, name)
        facts = dict(op.apply(obj, actor, checked.data) or {}) if op is not None else {}
        facts.update(checked.facts())
        history = _record(definition, obj, name, source, transition.dest, actor, comment, facts)
    forget_roles()
    transition_fired.send(
        obj, definition=definition, transition=transition, event=history, actor=actor
    )
    return history


def create(obj: Any, actor: Any, *, data: Mapping[str, Any] | None = None) -> WorkflowEvent:
    """Add a new object in its workflow's initial state, as ``actor``; flush; return the
    "created" history row. The definition's ``creation`` guard and the rules a programme
    adds for creation are checked first: nothing is added when one refuses."""
    definition = definition_for(obj)
    setattr(obj, definition.state_attribute, definition.initial)
    if definition.creation is not None and not _allowed(definition.creation, actor, obj):
        raise NotAllowed(_l("You are not allowed to do this."), CREATED, "role not allowed")
    rules = (*(definition.creation.when if definition.creation else ()), *extra_rules(obj, CREATED))
    with concurrency_guarded(CREATED):
        overridden = evaluate(obj, actor, rules, dict(data or {}), CREATED)
        facts = {"overridden": overridden} if overridden else {}
        db.session.add(obj)
        db.session.flush()
        history = _record(definition, obj, CREATED, "", definition.initial, actor, None, facts)
    forget_roles()
    object_created.send(obj, definition=definition, event=history, actor=actor)
    return history


def _record(definition, obj, name, source, dest, actor, comment, facts) -> WorkflowEvent:
    """Add the history row of a transition (or creation), linked to the object's chain."""
    if name != CREATED:
        # The object's row is written (version-checked) and so held before the chain's head
        # is read: a concurrent transition on it waits, then fails as a concurrent change,
        # and never links to the same head. A transition that changed nothing writes it too.
        if source == dest and not db.session.is_modified(obj):
            flag_modified(obj, definition.state_attribute)
        db.session.flush()
    row = {
        "workflow": definition.id,
        "object_type": definition.applies_to,
        "object_id": obj.id,
        "transition": name,
        "from_state": source,
        "to_state": dest,
        "actor_id": getattr(actor, "id", None),
        "comment": (comment or "").strip(),
        "data": facts,
        "at": utcnow(),
        "definition_hash": definition.version,
        "prev_hash": None if name == CREATED else head(definition.applies_to, obj.id),
    }
    row["hash"] = row_digest(row)
    history = WorkflowEvent(**row)
    db.session.add(history)
    db.session.flush()
    return history


def _version_attribute(obj: Any) -> str | None:
    mapper = getattr(type(obj), "__mapper__", None)
    column = mapper.version_id_col if mapper is not None else None
    return column.key if column is not None else None


@dataclass(frozen=True)
class BulkResult:
    obj: Any
    done: bool
    message: Any = None


def fire_many(
    objs: Iterable[Any],
    name: str,
    actor: Any,
    comment: str | None = None,
    *,
    data: Mapping[str, Any] | None = None,
) -> list[BulkResult]:
    """Fire ``name`` on each object; report done or refused, and why.

    One refusal, or one object changed by someone else meanwhile, leaves the others done.
    A transition without an operation and without rules that lock (the common bulk action:
    screen, verify, advance) is checked object by object and then written for all at once:
    one UPDATE (each row still at the version checked) and one INSERT of the history rows,
    instead of a savepoint, an UPDATE and an INSERT for each. Others go one by one, each in
    its own savepoint. The actor's roles are asked once for all (``remembering``), also
    outside a request.
    """
    with remembering():
        return _fire_many(list(objs), name, actor, comment, data)


def _fire_many(objs, name, actor, comment, data) -> list[BulkResult]:
    definition = _bulk_definition(objs, name)
    if definition is None:
        return _fire_each(objs, name, actor, comment, data)
    refused: dict[int, BulkResult] = {}
    ready: list[tuple[Any, Checked]] = []
    for obj in objs:
        try:
            ready.append((obj, check(obj, name, actor, comment, data)))
        except WorkflowError as exc:
            refused[id(obj)] = BulkResult(obj, False, exc.message)
    if ready:
        version_key = _version_attribute(objs[0])
        seen = {id(obj): getattr(obj, version_key) for obj, _checked in ready}
        try:
            with db.session.begin_nested(), concurrency_guarded(name):
                _write_all(definition, definition.transitions[name], ready, actor, comment)
        except ConcurrentChange:
            # Someone moved one of them since it was read: each on its own, those moved
            # refused as concurrent changes (the version seen is the one checked).
            for obj, _checked in ready:
                db.session.refresh(obj)
            for result in _fire_each([obj for obj, _ in ready], name, actor, comment, data, seen):
                refused[id(result.obj)] = result
    return [refused.get(id(obj)) or BulkResult(obj, True) for obj in objs]


def _fire_each(objs, name, actor, comment, data, seen=None) -> list[BulkResult]:
    """Fire on each object in its own savepoint; ``seen``: the versions read (id(obj) ->)."""
    results = []
    for obj in objs:
        expected = seen.get(id(obj)) if seen else None
        try:
            with db.session.begin_nested():
                fire(obj, name, actor, comment, expected_version=expected, data=data)
        except WorkflowError as exc:
            results.append(BulkResult(obj, False, exc.message))
        else:
            results.append(BulkResult(obj, True))
    return results


def _bulk_definition(objs: list[Any], name: str) -> WorkflowDefinition | None:
    """The objects' definition if ``name`` can be written for all at once, else None."""
    if len(objs) < 2 or len({type(obj) for obj in objs}) != 1:
        return None
    definition = definition_for(objs[0])
    transition = definition.transitions.get(name)
    if transition is None or operation_for(definition, name) is not None:
        return None
    if _version_attribute(objs[0]) is None:
        return None
    rules = (*transition.guard.when, *extra_rules(objs[0], name))
    if any(guards.get(rule.name).locks is not None for rule in rules):
        return None  # quotas count one after the other
    return definition


def _write_all(definition, transition, ready, actor, comment) -> None:
    """Move every checked object to the transition's destination and record the history,
    in two statements; a row no longer at the version checked fails the whole write."""
    model = type(ready[0][0])
    table = model.__table__
    mapper = sa.inspect(model)
    state_key = definition.state_attribute
    version_key = _version_attribute(ready[0][0])
    state_column = mapper.columns[state_key]
    version_column = mapper.columns[version_key]
    key = table.primary_key.columns.values()[0]
    db.session.flush()
    moved = db.session.connection().execute(
        sa.update(table)
        .where(key == sa.bindparam("_key"), version_column == sa.bindparam("_version"))
        .values({state_column.name: transition.dest, version_column.name: version_column + 1}),
        [{"_key": obj.id, "_version": getattr(obj, version_key)} for obj, _ in ready],
    )
    if moved.rowcount != len(ready):
        raise ConcurrentChange(CONCURRENT_MESSAGE, transition.id, "version mismatch")
    stale = [c.key for c in mapper.column_attrs if c.columns[0].onupdate is not None]
    now = utcnow()
    rows = []
    # The rows were written (and are held) above: their chains' heads stay theirs.
    chain_heads = heads(definition.applies_to, [obj.id for obj, _ in ready])
    for obj, checked in ready:
        rows.append(
            {
                "workflow": definition.id,
                "object_type": definition.applies_to,
                "object_id": obj.id,
                "transition": transition.id,
                "from_state": getattr(obj, state_key),
                "to_state": transition.dest,
                "actor_id": getattr(actor, "id", None),
                "comment": (comment or "").strip(),
                "data": checked.facts(),
                "at": now,
                "definition_hash": definition.version,
            }
        )
        set_committed_value(obj, state_key, transition.dest)  # as written, not to write
        set_committed_value(obj, version_key, getattr(obj, version_key) + 1)
        if stale:
            db.session.expire(obj, stale)
    link(rows, chain_heads)
    # One object once in the batch: its history row is found by its id.
    events = {
        event.object_id: event
        for event in db.session.scalars(sa.insert(WorkflowEvent).returning(WorkflowEvent), rows)
    }
    forget_roles()
    transitions_fired.send(
        transition, definition=definition, objs=[obj for obj, _ in ready], actor=actor
    )
    for obj, _checked in ready:
        event = events[obj.id]
        transition_fired.send(
            obj, definition=definition, transition=transition, event=event, actor=actor
        )


# -- offering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A transition as offered to a user: allowed by role and state; ``refusal`` if blocked."""

    transition: Transition
    refusal: Any = None

    @property
    def enabled(self) -> bool:
        return self.refusal is None


def available_transitions(user: Any, obj: Any, *, menu: bool = False) -> list[Option]:
    """Transitions ``user`` may see on ``obj``: from its state, allowed by the guard.

    A transition whose rules refuse is still offered, disabled, with the reason; one the
    user may not fire at all is not offered. ``menu``: only those the state menu shows.
    """
    definition = definition_for(obj)
    options = []
    for transition in definition.transitions_from(getattr(obj, definition.state_attribute)):
        if menu and not transition.menu:
            continue
        if not _allowed(transition.guard, user, obj):
            continue
        try:
            check(obj, transition.id, user, "-")
        except WorkflowError as exc:
            options.append(Option(transition, exc.message))
        else:
            options.append(Option(transition))
    return options


def describe(definition: WorkflowDefinition) -> list[tuple[str, str, dict[str, list[str]]]]:
    """The permission table: for each state, permission -> roles (sorted), for display."""
    table = []
    for state in definition.states.values():
        table.append(
            (
                state.id,
                state.title,
                {p: sorted(state.roles_with(p)) for p in definition.permissions},
            )
        )
    return table
