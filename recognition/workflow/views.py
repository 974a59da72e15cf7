"""The state menu's endpoint and the secretariat's pages describing each workflow."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..i18n import gettext as _
from . import bp, guards
from .diagram import mermaid
from .engine import ConcurrentChange, WorkflowError, available_transitions, describe, fire
from .forms import FireForm
from .registry import (
    bound_models,
    consequences_of,
    listed_rules,
    object_title,
    object_url,
    registry,
)
from .security import require

#: The site's Content-Security-Policy with inline styles allowed, for the diagram pages.
DIAGRAM_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _safe_next(default: str) -> str:
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def load_object(workflow_id: str, object_id: int):
    """The object a state menu acts on (the page's or the API's): 404 for an unknown workflow
    or object, or one the user may not see."""
    model = bound_models().get(workflow_id)
    if model is None:
        abort(404)
    obj = db.get_or_404(model, object_id)
    definition = registry().get(workflow_id)
    if "view" in definition.permissions:
        require("view", obj)
    return obj, definition


@bp.route("/<workflow_id>/<int:object_id>/<transition>", methods=["GET", "POST"])
def transition_page(workflow_id: str, object_id: int, transition: str):
    """One address per transition of an object: GET asks first (for a transition with
    ``confirm``), POST fires. (One route for both methods, so that an id no row can have is
    a 404 whatever the method, not a 405.)"""
    if request.method == "POST":
        return fire_transition(workflow_id, object_id, transition)
    return confirm_transition(workflow_id, object_id, transition)


def confirm_transition(workflow_id: str, object_id: int, transition: str):
    """The page that says what an irreversible or early action will do before it is done
    (a transition with ``confirm``): what it concerns, who will be told what."""
    obj, definition = load_object(workflow_id, object_id)
    declared = definition.transitions.get(transition)
    if declared is None or not declared.confirm:
        abort(404)
    options = {o.transition.id: o for o in available_transitions(current_user, obj)}
    if transition not in options:
        abort(403)
    form = FireForm(formdata=None)
    form.version.data = getattr(obj, "version", None)
    return render_template(
        "workflow/confirm.html",
        obj=obj,
        definition=definition,
        transition=declared,
        option=options[transition],
        consequences=consequences_of(obj, transition),
        form=form,
        back=object_url(obj),
        title=object_title(obj),
    )


def fire_transition(workflow_id: str, object_id: int, transition: str):
    """Fire a transition from an object's state menu, then go back to the object's page."""
    obj, definition = load_object(workflow_id, object_id)
    form = FireForm()
    back = _safe_next(url_for("main.home"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(back)
    declared = definition.transitions.get(transition)
    if declared is not None and declared.confirm and not form.confirmed.data:
        flash(_("Tick the box to confirm: %(question)s", question=_(declared.confirm)), "warning")
        return redirect(back)
    try:
        fire(obj, transition, current_user, form.comment.data, expected_version=form.version.data)
    except ConcurrentChange:
        raise  # 409, with a link back to the page (see web.py)
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(back)
    db.session.commit()
    title = definition.transitions[transition].title
    flash(_("Done: %(action)s.", action=_(title)), "success")
    return redirect(back)


@bp.get("/")
def index():
    require("view_workflows")
    return render_template("workflow/index.html", definitions=registry().definitions.values())


@bp.get("/<workflow_id>")
def show(workflow_id: str):
    require("view_workflows")
    definition = registry().definitions.get(workflow_id)
    if definition is None:
        abort(404)
    # Mermaid styles the SVG it draws with inline styles; scripts stay 'self' only.
    g.csp = DIAGRAM_CSP
    return render_template(
        "workflow/show.html",
        definition=definition,
        diagram=mermaid(definition, translate=_),
        table=describe(definition),
        conditions=guards.registered(),
        added_rules=listed_rules(definition),
    )
