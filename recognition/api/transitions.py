"""Transitions through the engine, for every workflow: what the page's state menu offers and
fires, with the version the client read (409 when the object moved on since)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from ..extensions import db
from ..i18n import gettext as _
from ..web import problem
from ..workflow.engine import (
    CommentRequired,
    ConcurrentChange,
    ConditionNotMet,
    NotAllowed,
    UnknownTransition,
    WorkflowError,
    WrongState,
    fire,
)
from ..workflow.registry import definition_for
from ..workflow.views import load_object
from . import schemas as s
from .auth import TOKEN, api_blueprint
from .common import options_doc, state_doc
from .nominations import signed_in

blp = api_blueprint("api-transitions", "Workflow transitions, for any object of any workflow.")


def object_state(obj: Any) -> dict[str, Any]:
    definition = definition_for(obj)
    return {
        "workflow": definition.id,
        "id": obj.id,
        "state": state_doc(obj),
        "version": getattr(obj, "version", None),
    }


@blp.get("/workflows/<workflow>/<int:object_id>/transitions")
@blp.response(200, s.OptionSchema(many=True))
@blp.doc(security=TOKEN)
def options(workflow: str, object_id: int):
    """The transitions offered to the reader on an object now; a disabled one says why."""
    signed_in()
    return options_doc(load_object(workflow, object_id)[0])


@blp.post("/workflows/<workflow>/<int:object_id>/transitions/<transition>")
@blp.arguments(s.FireSchema)
@blp.response(200, s.ObjectStateSchema)
@blp.doc(security=TOKEN)
def fire_transition(body, workflow: str, object_id: int, transition: str):
    """Fire a transition of the state menu. Transitions made with a form of their own (a
    decision, a review's submission) have their own operations."""
    signed_in()
    obj, _definition = load_object(workflow, object_id)
    declared = definition_for(obj).transitions.get(transition)
    if declared is None or not declared.menu:
        abort(404)
    if declared.confirm and not body["confirmed"]:
        return problem(
            422,
            _("Confirm with “confirmed”: true: %(question)s", question=_(declared.confirm)),
        )
    try:
        fire(obj, transition, current_user, body["comment"], expected_version=body.get("version"))
    except (ConcurrentChange, WrongState) as exc:
        # Someone else moved it first: 409 (the session is rolled back before any reading).
        db.session.rollback()
        raise ConcurrentChange(exc.message, exc.transition, exc.detail) from None
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except UnknownTransition:
        db.session.rollback()
        abort(404)
    except (CommentRequired, ConditionNotMet, WorkflowError) as exc:
        db.session.rollback()
        return problem(422, exc.message)
    db.session.commit()
    return object_state(obj)
