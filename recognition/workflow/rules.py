"""Rules as definitions name them, and the checking of definitions read from YAML.

A rule is a registered predicate's name with its parameters (``areas_of_strength:
{minimum: 5}``) and whether a reason may override it. Workflows list rules in their guards,
programmes in their ``rules``; both are checked here against the registered predicates.
Every problem names the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Rule:
    """A named predicate with its parameters, as a guard or a programme lists it.

    ``override``: the rule may be overridden by giving a reason, which the history keeps.
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    override: bool = False


class DefinitionError(Exception):
    """One or more problems in definition files; ``problems`` holds (file, key, message)."""

    def __init__(self, problems: Iterable[tuple[str, str, str]]):
        self.problems = list(problems)
        super().__init__(
            "\n".join(f"{file}: {key}: {message}" for file, key, message in self.problems)
        )


class Collector:
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


#: What a definition checks rules against: registered predicate names, or a mapping of name
#: to an object with ``params`` (parameter name -> type) to check parameters too.
Predicates = Iterable[str] | Mapping[str, Any] | None


def parse_rules(c: Collector, raw: Any, key: str, predicates: Predicates) -> tuple[Rule, ...]:
    """Rules as YAML lists them: a predicate's name, or ``name: {param: value, override: true}``.

    With the registry (``predicates``), names and parameters are checked: a rule that names
    no registered predicate, or a parameter the predicate does not take, is an error.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raw = [raw]
    known = None if predicates is None else predicates
    rules = []
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        if isinstance(item, str):
            name, params = item, {}
        elif isinstance(item, Mapping) and len(item) == 1:
            name, params = next(iter(item.items()))
            params = c.mapping(params, f"{where}.{name}")
        else:
            c.add(where, "must be a rule's name or `name: {parameters}`")
            continue
        params = dict(params)
        override = params.pop("override", False)
        if not isinstance(override, bool):
            c.add(f"{where}.{name}.override", "must be true or false")
            override = False
        if known is not None:
            if name not in known:
                c.add(where, f"unknown predicate {name!r}")
            elif isinstance(known, Mapping):
                _check_params(c, f"{where}.{name}", params, getattr(known[name], "params", {}))
        rules.append(Rule(str(name), MappingProxyType(params), override))
    return tuple(rules)


def rule_problems(
    rules: Iterable[Rule], source: str, key: str, predicates: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """Check rules read before the predicates were known (a programme's): names, parameters."""
    c = Collector(source)
    for index, rule in enumerate(rules):
        where = f"{key}[{index}]"
        if rule.name not in predicates:
            c.add(where, f"unknown predicate {rule.name!r}")
        else:
            wanted = getattr(predicates[rule.name], "params", {})
            _check_params(c, f"{where}.{rule.name}", dict(rule.params), wanted)
    return c.problems


def _check_params(c: Collector, key: str, given: dict, wanted: Mapping[str, type]) -> None:
    for param in sorted(set(given) - set(wanted)):
        c.add(f"{key}.{param}", "unknown parameter")
    for param, kind in wanted.items():
        if param not in given:
            c.add(key, f"parameter {param!r} is required")
        elif isinstance(given[param], bool) or not isinstance(given[param], kind):
            c.add(f"{key}.{param}", f"must be {'a whole number' if kind is int else kind.__name__}")


def flag(c: Collector, raw: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        c.add(f"{key}.{name}", "must be true or false")
        return default
    return value
