"""Posting to a round's discussion and recording the consensus (POST only: the discussion
shows on the nomination's page and on the reviewer's scoring page)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import gettext as _
from ..nominations.models import Nomination
from ..web import safe_next
from . import bp
from .access import thread_for
from .forms import ConsensusForm, PostForm
from .operations import post, record_consensus
from .panel import _scale


def _thread_or_404(nomination_id: int, round_id: str):
    nomination = db.get_or_404(Nomination, nomination_id)
    thread = thread_for(current_user, nomination, round_id)
    if thread is None:
        abort(404)  # not even whether such a discussion exists
    return thread


def _back(thread, anchor: str) -> str:
    fallback = url_for("nominations.show", nomination_id=thread.nomination.id)
    return safe_next(request.form.get("next"), fallback) + anchor


def _errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "danger")


@bp.post("/nominations/<int:nomination_id>/discussion/<round_id>")
@login_required
def post_message(nomination_id: int, round_id: str):
    """A message to the round's panel about the nomination."""
    thread = _thread_or_404(nomination_id, round_id)
    form = PostForm(prefix=f"d-{thread.round.id}")
    form.mention.choices = [(label, label) for label in thread.labels.values()]
    if form.validate_on_submit():
        post(thread, current_user, form.body.data, form.mention.data or [])
        db.session.commit()
        flash(_("Your message is in the discussion."), "success")
    else:
        _errors(form)
    return redirect(_back(thread, f"#discussion-{thread.round.id}"))


@bp.post("/nominations/<int:nomination_id>/discussion/<round_id>/consensus")
@login_required
def consensus(nomination_id: int, round_id: str):
    """The secretariat records the panel's consensus: a score (optional) and a statement."""
    thread = _thread_or_404(nomination_id, round_id)
    if thread.member:
        abort(403)
    form = ConsensusForm(prefix=f"c-{thread.round.id}")
    form.configure(*_scale(thread))
    if form.validate_on_submit():
        score = float(form.score.data) if form.score.data is not None else None
        record_consensus(thread, current_user, score, form.statement.data)
        db.session.commit()
        flash(_("The panel's consensus is recorded."), "success")
    else:
        _errors(form)
    return redirect(_back(thread, f"#discussion-{thread.round.id}"))
