"""Registry of named rules: the predicates that guards and programmes name.

A transition's ``guard.when`` and a programme's ``rules`` name predicates registered here
(with their parameters: ``areas_of_strength: {minimum: 5}``); a definition naming an unknown
predicate or parameter does not load. Feature packages register their predicates with
``@guard("name", title=_l("..."))``. A predicate returns None when the rule holds, or the
reason it does not, as a translatable text shown to the user. The title says what must hold
("the call is open"), for the pages that describe the workflow.

A predicate that counts rows to enforce a quota names, with ``locks``, the row to lock first
(``SELECT … FOR UPDATE``), so that concurrent transitions count one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: ``func(obj, actor, context, **params) -> None | reason``
Predicate = Callable[..., Any]


@dataclass(frozen=True)
class RegisteredGuard:
    name: str
    title: Any  # a lazy string; may use the parameters as %(name)s placeholders
    func: Predicate
    #: Parameter name -> type (int, str, ...), checked when a definition is loaded.
    params: Mapping[str, type] = field(default_factory=dict)
    #: ``locks(obj)`` -> the row whose lock serialises this rule's count (None: no lock).
    locks: Callable[[Any], Any] | None = None

    def describe(self, params: Mapping[str, Any]) -> str:
        """The title with its parameters filled in."""
        return str(self.title) % dict(params) if params else str(self.title)


_registry: dict[str, RegisteredGuard] = {}


def guard(
    name: str,
    title: Any,
    *,
    params: Mapping[str, type] | None = None,
    locks: Callable[[Any], Any] | None = None,
) -> Callable[[Predicate], Predicate]:
    """Register ``func(obj, actor, context, **params) -> None | reason`` as ``name``."""

    def register(func: Predicate) -> Predicate:
        existing = _registry.get(name)
        if existing and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"guard {name!r} is already registered")
        _registry[name] = RegisteredGuard(
            name, title, func, MappingProxyType(dict(params or {})), locks
        )
        return func

    return register


def get(name: str) -> RegisteredGuard:
    return _registry[name]


def names() -> frozenset[str]:
    return frozenset(_registry)


def registered() -> Mapping[str, RegisteredGuard]:
    """Every registered predicate by name (definitions check names and parameters)."""
    return MappingProxyType(_registry)
