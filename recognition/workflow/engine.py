"""The only writer of state columns: fire(obj, transition, actor, comment).

fire() checks the guard (roles, OR; named predicates, AND; comment rule), moves the object
through the definition's shared transitions.Machine, appends a WorkflowEvent and announces
the transition (the outbox listens and queues notifications) — all in the caller's database
transaction. It flushes; the view commits once. Concurrent changes to one object are caught
by optimistic locking (the model's version_id_col) and reported as ConcurrentChange.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from blinker import Namespace
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from . import guards
from .definition import Transition, WorkflowDefinition
from .history import WorkflowEvent
from .registry import definition_for, machine_for
from .security import forget_roles, roles_for

signals = Namespace()
#: Sent after a transition is applied and its history row added (sender: the object).
transition_fired = signals.signal("transition-fired")


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


def state_of(obj: Any) -> str:
    return getattr(obj, definition_for(obj).state_attribute)


def state_title(obj: Any) -> str:
    """The translated title of the state ``obj`` is in."""
    definition = definition_for(obj)
    return gettext(definition.states[getattr(obj, definition.state_attribute)].title)


@dataclass(frozen=True)
class Option:
    """A transition as offered to a user: allowed by role and state; ``refusal`` if blocked."""

    transition: Transition
    refusal: Any = None

    @property
    def enabled(self) -> bool:
        return self.refusal is None


def check(
    obj: Any,
    name: str,
    actor: Any,
    comment: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> Transition:
    """Return the transition if ``actor`` may fire it now; raise the reason otherwise."""
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
    if roles_for(actor, obj).isdisjoint(transition.guard.roles):
        raise NotAllowed(_l("You are not allowed to do this."), name, "role not allowed")
    if transition.comment == "required" and not (comment or "").strip():
        raise CommentRequired(_l("A comment is required for this action."), name, "comment")
    for predicate_name in transition.guard.when:
        predicate = guards.get(predicate_name)
        if not predicate.func(obj, actor, context or {}):
            raise ConditionNotMet(
                _l("Condition not met: %(condition)s.", condition=predicate.title),
                name,
                f"condition {predicate_name!r} not met",
            )
    return transition


def fire(
    obj: Any,
    name: str,
    actor: Any,
    comment: str | None = None,
    *,
    expected_version: int | None = None,
    context: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
) -> WorkflowEvent:
    """Fire transition ``name`` on ``obj`` as ``actor``; flush; return the history row.

    ``expected_version`` is the version the user saw (a form's hidden field): if the object
    moved on since, the transition is refused as a concurrent change.
    """
    definition = definition_for(obj)
    version_attr = _version_attribute(obj)
    if (
        expected_version is not None
        and version_attr
        and getattr(obj, version_attr) != expected_version
    ):
        raise ConcurrentChange(CONCURRENT_MESSAGE, name, "version mismatch")
    transition = check(obj, name, actor, comment, context)
    source = getattr(obj, definition.state_attribute)
    machine_for(definition).events[name].trigger(obj)
    history = WorkflowEvent(
        workflow=definition.id,
        object_type=definition.applies_to,
        object_id=obj.id,
        transition=name,
        from_state=source,
        to_state=transition.dest,
        actor_id=getattr(actor, "id", None),
        comment=(comment or "").strip(),
        data=dict(data or {}),
    )
    db.session.add(history)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConcurrentChange(CONCURRENT_MESSAGE, name, "stale row") from exc
    forget_roles()
    transition_fired.send(
        obj, definition=definition, transition=transition, event=history, actor=actor
    )
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
    context: Mapping[str, Any] | None = None,
) -> list[BulkResult]:
    """Fire ``name`` on each object in its own savepoint; report done or refused, and why."""
    results = []
    for obj in objs:
        try:
            with db.session.begin_nested():
                fire(obj, name, actor, comment, context=context)
        except WorkflowError as exc:
            results.append(BulkResult(obj, False, exc.message))
        else:
            results.append(BulkResult(obj, True))
    return results


def available_transitions(user: Any, obj: Any) -> list[Option]:
    """Transitions ``user`` may see on ``obj``: from its state, allowed for the user's roles.

    A transition whose condition is not met is still offered, disabled, with the reason; one
    the user's roles do not allow is not offered at all.
    """
    definition = definition_for(obj)
    roles = roles_for(user, obj)
    options = []
    for transition in definition.transitions_from(getattr(obj, definition.state_attribute)):
        if roles.isdisjoint(transition.guard.roles):
            continue
        refusal = None
        for predicate_name in transition.guard.when:
            predicate = guards.get(predicate_name)
            if not predicate.func(obj, user, {}):
                refusal = predicate.title
                break
        options.append(Option(transition, refusal))
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
