"""Registry of named guard predicates.

A transition's ``guard.when`` names predicates registered here; a definition naming an
unknown predicate does not load. Feature packages register their business predicates with
``@guard("name", title=_l("..."))``; the title says what must hold, and is shown to the user
when the predicate refuses a transition ("the call is open").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Predicate = Callable[[Any, Any, Mapping[str, Any]], bool]


@dataclass(frozen=True)
class RegisteredGuard:
    name: str
    title: Any  # a lazy string
    func: Predicate


_registry: dict[str, RegisteredGuard] = {}


def guard(name: str, title: Any) -> Callable[[Predicate], Predicate]:
    """Register ``func(obj, actor, context) -> bool`` as the predicate ``name``."""

    def register(func: Predicate) -> Predicate:
        existing = _registry.get(name)
        if existing and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"guard {name!r} is already registered")
        _registry[name] = RegisteredGuard(name, title, func)
        return func

    return register


def get(name: str) -> RegisteredGuard:
    return _registry[name]


def names() -> frozenset[str]:
    return frozenset(_registry)
