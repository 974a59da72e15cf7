"""The loaded workflow definitions of the running app and the models bound to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from transitions import Machine

from .definition import WorkflowDefinition


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


#: workflow id -> model class, filled by @bind_model on the feature packages' models
_models: dict[str, type] = {}


def bind_model(model: type) -> type:
    """Make a model class known to the engine (worklists, the state menu) by ``__workflow__``."""
    _models[model.__workflow__] = model
    return model


def bound_models() -> dict[str, type]:
    return dict(_models)


def model_for(definition: WorkflowDefinition) -> type:
    return _models[definition.id]


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
