"""Operations registered for (workflow, transition): the work a transition carries with it.

The generic state menu fires a transition through its registered operation when there is
one (submitting a nomination checks completeness and keeps a snapshot), else plainly.
Operations flush, never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .engine import BulkResult, WorkflowError, fire
from .registry import definition_for

Operation = Callable[..., Any]
_operations: dict[tuple[str, str], Operation] = {}


def operation(workflow: str, transition: str) -> Callable[[Operation], Operation]:
    """Register ``func(obj, actor, comment, expected_version=None)`` for a transition."""

    def register(func: Operation) -> Operation:
        _operations[(workflow, transition)] = func
        return func

    return register


def perform(
    obj: Any, transition: str, actor: Any, comment: str | None, expected_version: int | None
) -> Any:
    """Run the transition's operation, or fire it plainly when it has none."""
    func = _operations.get((definition_for(obj).id, transition))
    if func is None:
        return fire(obj, transition, actor, comment, expected_version=expected_version)
    return func(obj, actor, comment, expected_version=expected_version)


def perform_many(
    objs: list[Any], transition: str, actor: Any, comment: str | None
) -> list[BulkResult]:
    """Run a transition's operation on each object in its own savepoint; done or refused, why.

    Through the operations, not plain fire(): a decision records its decider and areas of
    strength, in bulk as on one object.
    """
    from ..extensions import db

    results = []
    for obj in objs:
        try:
            with db.session.begin_nested():
                perform(obj, transition, actor, comment, None)
        except WorkflowError as exc:
            results.append(BulkResult(obj, False, exc.message))
        else:
            results.append(BulkResult(obj, True))
    return results
