"""Template helpers for states, transitions and history rows."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ..i18n import gettext as _
from .definition import CREATED
from .engine import displayed_state
from .registry import has_tag, object_title, object_url, registry
from .security import can


def state_title(obj: Any) -> str:
    """The state's title as the current user is shown it (an embargo may hide it)."""
    return _(displayed_state(current_user, obj).title)


def state_style(obj: Any) -> str:
    return displayed_state(current_user, obj).style


def state_description(obj: Any) -> str:
    text = displayed_state(current_user, obj).description
    return _(text) if text else ""


def state_name(workflow_id: str, state_id: str) -> str:
    if not state_id:
        return "—"  # before creation
    state = registry().get(workflow_id).states.get(state_id)
    return _(state.title) if state else state_id


def transition_title(event: Any) -> str:
    if event.transition == CREATED:
        return _("Created")
    transition = registry().get(event.workflow).transitions.get(event.transition)
    return _(transition.title) if transition else event.transition


def actor_label(event: Any) -> str:
    """Who fired a transition, as this viewer may know it.

    The secretariat sees names; cities see "Secretariat" for the secretariat's actions, so
    that what a city reads never names individual officers or reviewers.
    """
    actor = event.actor
    if actor is None:
        return _("System")
    if can(current_user, "run_campaign"):
        return actor.name
    if can(actor, "run_campaign"):
        return _("Secretariat")
    if can(actor, "review") and current_user.is_authenticated and actor.id != current_user.id:
        return _("Reviewer")
    return actor.name


def workflow_helpers() -> dict[str, Any]:
    return {
        "state_title": state_title,
        "state_style": state_style,
        "state_description": state_description,
        "state_name": state_name,
        "transition_title": transition_title,
        "actor_label": actor_label,
        "has_tag": has_tag,
        "object_url": object_url,
        "object_title": object_title,
    }
