"""Operations registered for (workflow, transition): the work a transition carries with it.

The generic state menu fires a transition through its registered operation when there is
one (submitting a nomination checks completeness and keeps a snapshot), else plainly.
Operations flush, never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .engine import fire
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
