"""Calls: the list everyone sees, a call's page, and the secretariat's call form."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import gettext as _
from ..i18n import utc_to_local
from ..panels import panels_for
from ..web import paginate
from ..workflow.engine import available_transitions
from ..workflow.history import history_of
from ..workflow.registry import tagged
from ..workflow.security import can, permission_clause, require
from . import bp
from .forms import CallForm
from .models import Call
from .operations import DATE_FIELDS, apply_form, create_call


@bp.get("/calls")
def calls():
    """Calls the user may see: open ones first, then by closing date."""
    stmt = (
        sa.select(Call)
        .where(permission_clause(Call, "view", current_user))
        .order_by(tagged(Call, "accepting").desc(), Call.closes_at.desc(), Call.id.desc())
    )
    return render_template(
        "programmes/calls.html",
        page=paginate(stmt),
        programmes=current_app.extensions["programmes"],
    )


@bp.get("/calls/<int:call_id>")
def call(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("view", call)
    manage = can(current_user, "manage", call)
    return render_template(
        "programmes/call.html",
        call=call,
        programme=call.programme,
        transitions=available_transitions(current_user, call, menu=True) if manage else [],
        history=history_of(call) if manage else [],
        # The city's nomination to the call (nominations package), ...
        **panels_for("programmes.call", call),
    )


@bp.route("/calls/new", methods=["GET", "POST"])
@login_required
def new_call():
    require("run_campaign")
    programmes = current_app.extensions["programmes"]
    form = CallForm(programmes)
    if request.method == "GET" and request.args.get("programme") in programmes:
        form.programme_id.data = request.args["programme"]
    if form.validate_on_submit():
        call = create_call(form, current_user)
        db.session.commit()
        flash(_("The call is created as a draft. Open it when it is ready."), "success")
        return redirect(url_for("programmes.call", call_id=call.id))
    return render_template("programmes/call_form.html", form=form, call=None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit_call(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("edit", call)
    programmes = current_app.extensions["programmes"]
    form = CallForm(programmes, obj=call)
    form.programme_id.render_kw = {**form.programme_id.render_kw, "disabled": True}
    if request.method == "POST":
        form.programme_id.data = call.programme_id
    else:
        for name in DATE_FIELDS:
            getattr(form, name).data = utc_to_local(getattr(call, name))
        form.show_texts(call)
    if form.validate_on_submit():
        apply_form(call, form)
        db.session.commit()
        flash(_("The call is saved."), "success")
        return redirect(url_for("programmes.call", call_id=call.id))
    if request.method == "POST" and not form.errors:
        abort(400)
    return render_template("programmes/call_form.html", form=form, call=call)
