"""What is public of a city's stage: the stage the secretariat confirmed, never a pending
request. Read from the definition's tags: a state tagged ``staged`` is a confirmed stage; a
state tagged ``stage_requested`` shows the confirmed stage the request was made from."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..accounts.models import City
from ..extensions import db
from ..workflow.definition import State, WorkflowDefinition
from ..workflow.registry import definition_for
from .models import CityStage

#: The tag of the confirmed stages (A, B, C) and of the moves waiting for confirmation.
CONFIRMED = "staged"
REQUESTED = "stage_requested"


def confirmed_stage(definition: WorkflowDefinition, state_id: str) -> State | None:
    """The confirmed stage a city in ``state_id`` is at: the state itself when it is a stage;
    for a pending request, the stage the request was made from; None before stage A."""
    state = definition.states[state_id]
    if CONFIRMED in state.tags:
        return state
    if REQUESTED not in state.tags:
        return None
    for transition in definition.transitions.values():
        if transition.dest != state_id:
            continue
        for source in transition.sources:
            if CONFIRMED in definition.states[source].tags:
                return definition.states[source]
    return None


def public_stages() -> list[State]:
    """The confirmed stages, in the order of the definition (A, B, C): the directory's
    choices."""
    definition = definition_for(CityStage)
    return [definition.states[s] for s in definition.states_tagged(CONFIRMED)]


def states_showing(stage_id: str) -> tuple[str, ...]:
    """The states in which a city shows ``stage_id`` publicly (the stage and a request made
    from it)."""
    definition = definition_for(CityStage)
    return tuple(
        s
        for s in definition.states
        if (shown := confirmed_stage(definition, s)) is not None and shown.id == stage_id
    )


def city_at_stage(stage_id: str) -> Any:
    """SQL condition on ``City``: the city's confirmed stage is ``stage_id``."""
    return City.id.in_(
        sa.select(CityStage.city_id).where(CityStage.state.in_(states_showing(stage_id)))
    )


def public_stage_of(city_id: int) -> State | None:
    """The city's confirmed stage as the public sees it (one query), or None."""
    state = db.session.scalar(sa.select(CityStage.state).where(CityStage.city_id == city_id))
    return confirmed_stage(definition_for(CityStage), state) if state else None
