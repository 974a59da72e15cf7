"""The loaded workflow definitions of the running app and the models bound to them.

A model is bound with its page and title (``bind_model``), so that notifications, the audit
log and worklists link to any object without a table of their own; programmes and other
sources add rules to transitions (``rule_source``); code asks for states by tag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from transitions import Machine

from .definition import Rule, WorkflowDefinition


@dataclass
class WorkflowRegistry:
    """Definitions by id, with one shared ``transitions.Machine`` each (no models registered)."""

    definitions: dict[str, WorkflowDefinition]
    machines: dict[str, Machine] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for definition in self.definitions.values():
            self.machines[definition.id] = build_machine(definition)

    def get(self, workflow_id: str) -> WorkflowDefinition:
        return self.definitions[workflow_id]


def build_machine(definition: WorkflowDefinition) -> Machine:
    """One Machine per definition; rows are passed to event.trigger, never registered."""
    return Machine(
        model=None,
        states=[{"name": s.id, "final": s.final} for s in definition.states.values()],
        transitions=[
            {"trigger": t.id, "source": list(t.sources), "dest": t.dest}
            for t in definition.transitions.values()
        ],
        initial=definition.initial,
        auto_transitions=False,
        model_attribute=definition.state_attribute,
        send_event=True,
    )


@dataclass(frozen=True)
class Binding:
    """A model class bound to its workflow, with the page that shows one of its objects."""

    model: type
    endpoint: str
    arg: str
    title: Callable[[Any], str]


#: workflow id -> binding, filled by bind_model() in the feature packages
_bindings: dict[str, Binding] = {}


def bind_model(model: type, *, page: str, arg: str, title: Callable[[Any], str]) -> type:
    """Make a model class known to the engine by its ``__workflow__``: its objects' page is
    the endpoint ``page`` with the id as ``arg``; ``title(obj)`` names an object."""
    _bindings[model.__workflow__] = Binding(model, page, arg, title)
    return model


def bound_models() -> dict[str, type]:
    return {workflow_id: b.model for workflow_id, b in _bindings.items()}


def model_for(definition: WorkflowDefinition) -> type:
    return _bindings[definition.id].model


def binding_for(obj_or_class: Any) -> Binding:
    return _bindings[obj_or_class.__workflow__]


def object_url(obj: Any, **values: Any) -> str:
    """The address of the page showing ``obj``."""
    binding = binding_for(obj)
    return url_for(binding.endpoint, **{binding.arg: obj.id}, **values)


def object_title(obj: Any) -> str:
    return binding_for(obj).title(obj)


def page_of(object_type: str, object_id: int) -> str | None:
    """The address of an object's page from its type and id, as the history names them."""
    for workflow_id, binding in _bindings.items():
        if registry().get(workflow_id).applies_to == object_type:
            return url_for(binding.endpoint, **{binding.arg: object_id})
    return None


#: applies_to -> rules(obj, transition id) -> the extra rules of a transition on that object
_rule_sources: dict[str, Callable[[Any, str], tuple[Rule, ...]]] = {}
#: applies_to -> () -> {who adds them (a programme's title): {transition id: rules}}
_rule_listings: dict[str, Callable[[], dict[str, Any]]] = {}
#: checks run once every package registered its predicates: () -> [(file, key, message)]
_checks: list[Callable[[], list[tuple[str, str, str]]]] = []


def rule_source(applies_to: str, listing: Callable[[], dict[str, Any]] | None = None):
    """Register ``rules(obj, transition) -> tuple[Rule, ...]`` adding rules to transitions on
    objects of a type (a nomination's programme declares its own rules); ``listing()`` says
    who adds which, for the pages that describe the workflow."""

    def register(func: Callable[[Any, str], tuple[Rule, ...]]):
        _rule_sources[applies_to] = func
        if listing is not None:
            _rule_listings[applies_to] = listing
        return func

    return register


def listed_rules(definition: WorkflowDefinition) -> dict[str, Any]:
    """Who adds rules to the definition's transitions, and which: {source: {transition:
    rules}} (e.g. each programme's rules for nominations)."""
    listing = _rule_listings.get(definition.applies_to)
    return listing() if listing is not None else {}


def extra_rules(obj: Any, transition: str) -> tuple[Rule, ...]:
    source = _rule_sources.get(definition_for(obj).applies_to)
    return source(obj, transition) if source is not None else ()


def definition_check(func: Callable[[], list[tuple[str, str, str]]]):
    """Register a check of other definitions (programmes' rules) run when the app starts."""
    if func not in _checks:
        _checks.append(func)
    return func


def run_checks() -> list[tuple[str, str, str]]:
    return [problem for check in _checks for problem in check()]


@dataclass(frozen=True)
class Consequence:
    """What firing a transition will do, said before it is fired: a sentence, and the
    objects it concerns as (name, what happens to it) rows."""

    text: str
    rows: tuple[tuple[str, str], ...] = ()


#: (workflow id, transition id) -> functions(obj) -> [Consequence]
_consequences: dict[tuple[str, str], list[Callable[[Any], list[Consequence]]]] = {}


def consequences(workflow: str, transition: str):
    """Register ``func(obj) -> [Consequence]``: what the transition will do, shown on its
    confirmation page (who will be told what when a call is announced, ...)."""

    def register(func: Callable[[Any], list[Consequence]]):
        providers = _consequences.setdefault((workflow, transition), [])
        if func not in providers:
            providers.append(func)
        return func

    return register


def consequences_of(obj: Any, transition: str) -> list[Consequence]:
    key = (definition_for(obj).id, transition)
    return [c for provider in _consequences.get(key, []) for c in provider(obj)]


def registry() -> WorkflowRegistry:
    return current_app.extensions["workflow"]


def definition_for(obj_or_class: Any) -> WorkflowDefinition:
    """The definition bound to an object or model class by its ``__workflow__`` attribute."""
    workflow_id = getattr(obj_or_class, "__workflow__", None)
    if workflow_id is None:
        raise TypeError(f"{obj_or_class!r} is not bound to a workflow")
    return registry().get(workflow_id)


def machine_for(definition: WorkflowDefinition) -> Machine:
    return registry().machines[definition.id]


def states_tagged(obj_or_class: Any, tag: str) -> tuple[str, ...]:
    """The states of an object's (or model's) workflow that carry ``tag``."""
    return definition_for(obj_or_class).states_tagged(tag)


def has_tag(obj: Any, tag: str) -> bool:
    """Whether the state ``obj`` is in carries ``tag``."""
    definition = definition_for(obj)
    if tag not in definition.tags:
        raise KeyError(f"{definition.source}: no state is tagged {tag!r}")
    return tag in definition.states[getattr(obj, definition.state_attribute)].tags


def tagged(model: type, tag: str) -> Any:
    """SQL condition: rows of ``model`` in a state carrying ``tag``."""
    definition = definition_for(model)
    return getattr(model, definition.state_attribute).in_(definition.states_tagged(tag))
