"""City stage pages: "Our city's stage" for its focal points (the stage, the history, the form
asking for the next stage with the evidence); the same page for the secretariat, with the
request's evidence and Confirm / Refuse; the list of city stages; the evidence download."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts.models import City
from ..accounts.operations import cities_of
from ..extensions import db
from ..i18n import gettext as _
from ..nominations.storage import UploadRefused
from ..storage import send_evidence
from ..web import accepts_uploads, paginate
from ..workflow.engine import ConcurrentChange, WorkflowError, fire
from ..workflow.history import history_of
from ..workflow.registry import definition_for, has_tag, tagged
from ..workflow.security import can, permission_clause, require, roles_for
from . import bp
from .forms import DecisionForm, StageRequestForm
from .models import CityStage, stage_of_city
from .operations import (
    NOTE_CHARACTERS,
    ask_for_next_stage,
    decision_options,
    record_joined,
    request_option,
    store_pdf,
    unsaved_stage,
)
from .queries import REQUESTED


def _city(city_id: int) -> tuple[City, CityStage | None, CityStage]:
    """The city, its stage row (None before it joined) and the stage the page shows (the row,
    or an unsaved one in the initial state); 404 unless the user may view it."""
    city = db.get_or_404(City, city_id)
    stage = stage_of_city(city.id)
    shown = stage if stage is not None else unsaved_stage(city)
    if not can(current_user, "view", shown):
        abort(404)
    return city, stage, shown


def _stage(stage_id: int) -> CityStage:
    stage = db.get_or_404(CityStage, stage_id)
    if not can(current_user, "view", stage):
        abort(404)
    return stage


def _may_record_joined(stage: CityStage) -> bool:
    """Whether the user may create the city's stage without asking for a stage (the
    secretariat recording that a city joined)."""
    creation = definition_for(CityStage).creation
    if creation is None:
        return True
    return not roles_for(current_user, stage).isdisjoint(creation.roles)


def _request_form(stage: CityStage | None) -> StageRequestForm:
    form = StageRequestForm(formdata=None)
    form.version.data = stage.version if stage is not None else None
    return form


def _decision_forms(stage: CityStage, sent: DecisionForm | None = None, sent_for: str = ""):
    """Each decision the user may take, with its form (the one just sent keeps its text)."""
    decisions = []
    for option in decision_options(current_user, stage):
        transition = option.transition
        if transition.id == sent_for and sent is not None:
            form = sent
        else:
            form = DecisionForm(formdata=None, prefix=transition.id)
            form.version.data = stage.version
        if transition.comment == "required":
            form.comment.label.text = _("Reason for the city (required)")
        decisions.append((option, form))
    return decisions


def _page(
    city: City,
    stage: CityStage | None,
    shown: CityStage,
    *,
    request_form: StageRequestForm | None = None,
    decisions: list | None = None,
    status: int = 200,
):
    option = request_option(current_user, shown)
    return render_template(
        "stages/show.html",
        city=city,
        stage=stage,
        shown=shown,
        requested=stage is not None and has_tag(stage, REQUESTED),
        option=option,
        form=request_form or _request_form(stage),
        decisions=decisions if decisions is not None else _decision_forms(shown),
        may_record_joined=stage is None and option is None and _may_record_joined(shown),
        may_read_evidence=stage is not None and can(current_user, "view_evidence", stage),
        history=history_of(stage) if stage is not None else [],
        max_mb=current_app.config["RECOGNITION_MAX_FILE_MB"],
        max_characters=NOTE_CHARACTERS,
    ), status


# -- pages -------------------------------------------------------------------------------------


@bp.get("/stages/ours")
@login_required
def ours():
    """Our city's stage: the page of the user's city, or the list of the cities they act for."""
    cities = cities_of(current_user)
    if len(cities) == 1:
        return redirect(url_for("stages.city", city_id=cities[0].id))
    stages = {
        s.city_id: s
        for s in db.session.scalars(
            sa.select(CityStage).where(CityStage.city_id.in_([c.id for c in cities]))
        )
    }
    return render_template("stages/ours.html", cities=cities, stages=stages)


@bp.get("/stages/")
@login_required
def index():
    """The city stages the user may see, the requests waiting for confirmation first."""
    waiting = sa.case((tagged(CityStage, REQUESTED), 0), else_=1)
    stmt = (
        sa.select(CityStage)
        .join(City, City.id == CityStage.city_id)
        .where(permission_clause(CityStage, "view", current_user))
        .order_by(waiting, sa.func.lower(City.name), CityStage.id)
    )
    return render_template("stages/index.html", page=paginate(stmt))


@bp.get("/stages/cities/<int:city_id>")
@login_required
def city(city_id: int):
    """A city's stage: its page once it has joined; before, the form asking for stage A."""
    found, stage, shown = _city(city_id)
    if stage is not None:
        return redirect(url_for("stages.show", stage_id=stage.id))
    return _page(found, stage, shown)


@bp.get("/stages/<int:stage_id>")
@login_required
def show(stage_id: int):
    """A city's stage: the stage, the request waiting and its evidence, the history."""
    stage = _stage(stage_id)
    return _page(stage.city, stage, stage)


# -- the city asks -------------------------------------------------------------------------------


@bp.post("/stages/cities/<int:city_id>/request")
@login_required
@accepts_uploads
def ask(city_id: int):
    """Ask for the next stage with the evidence; errors beside the fields, the note kept."""
    found, stage, shown = _city(city_id)
    option = request_option(current_user, shown)
    if option is None:
        abort(403)
    form = StageRequestForm()
    if not form.validate_on_submit():
        return _page(found, stage, shown, request_form=form, status=400)
    upload = request.files.get(form.evidence.name)
    stored = None
    if upload is not None and upload.filename:
        try:
            stored = store_pdf(upload)
        except UploadRefused as exc:
            form.evidence.errors = [
                _("“%(name)s”: %(reason)s", name=upload.filename[:100], reason=exc.message)
            ]
            return _page(found, stage, shown, request_form=form, status=400)
    note = (form.note.data or "").strip()
    try:
        saved = ask_for_next_stage(
            found, current_user, note, stored, expected_version=form.version.data
        )
    except ConcurrentChange:
        raise  # 409, with a link back to the page
    except WorkflowError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        found, stage, shown = _city(city_id)
        return _page(found, stage, shown, request_form=form, status=400)
    db.session.commit()
    flash(
        _("Your request is sent: the secretariat reads your evidence and confirms the move."),
        "success",
    )
    return redirect(url_for("stages.show", stage_id=saved.id))


@bp.post("/stages/cities/<int:city_id>/join")
@login_required
def join(city_id: int):
    """The secretariat records that the city has joined (no stage yet)."""
    found, stage, shown = _city(city_id)
    if stage is not None or not _may_record_joined(shown):
        abort(403)
    if not DecisionForm().validate_on_submit():
        abort(400)
    try:
        saved = record_joined(found, current_user)
    except ConcurrentChange:
        raise
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("stages.city", city_id=city_id))
    db.session.commit()
    flash(_("%(city)s has joined Making Cities Resilient 2030.", city=found.name), "success")
    return redirect(url_for("stages.show", stage_id=saved.id))


# -- the secretariat decides ---------------------------------------------------------------------


@bp.post("/stages/<int:stage_id>/decide/<transition>")
@login_required
def decide(stage_id: int, transition: str):
    """Confirm or refuse the requested move; a refusal without its reason comes back with
    the error beside the field."""
    stage = _stage(stage_id)
    options = {o.transition.id: o for o in decision_options(current_user, stage)}
    if transition not in options:
        abort(403)
    declared = options[transition].transition
    form = DecisionForm(prefix=transition)
    ok = form.validate_on_submit()
    comment = (form.comment.data or "").strip()
    if ok and declared.comment == "required" and not comment:
        form.comment.errors = [_("Say why: the city reads the reason.")]
        ok = False
    if not ok:
        decisions = _decision_forms(stage, form, transition)
        return _page(stage.city, stage, stage, decisions=decisions, status=400)
    try:
        fire(stage, transition, current_user, comment, expected_version=form.version.data)
    except ConcurrentChange:
        raise  # 409, with a link back to the page
    except WorkflowError as exc:
        db.session.rollback()
        stage = _stage(stage_id)
        form.form_errors.append(str(exc.message))
        decisions = _decision_forms(stage, form, transition)
        return _page(stage.city, stage, stage, decisions=decisions, status=400)
    db.session.commit()
    flash(_("Done: %(action)s.", action=_(declared.title)), "success")
    return redirect(url_for("stages.show", stage_id=stage.id))


@bp.get("/stages/<int:stage_id>/evidence")
@login_required
def evidence(stage_id: int):
    """The PDF sent with the latest request, as a download, to those who may read it."""
    stage = _stage(stage_id)
    require("view_evidence", stage)
    if not stage.sha256:
        abort(404)
    response = send_evidence(stage.sha256, mimetype=stage.mime, download_name=stage.filename)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
