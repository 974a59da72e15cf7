"""Annual report pages: the report (the city writes and submits it, the secretariat reads,
accepts or returns it), the worklists of reports, and the panel on the recognition's page."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import csrf, db
from ..i18n import gettext as _
from ..nominations.models import Nomination
from ..panels import panel
from ..web import paginate
from ..workflow.engine import (
    ConcurrentChange,
    WorkflowError,
    available_transitions,
    fire,
    state_title,
)
from ..workflow.history import history_of
from ..workflow.registry import definition_for, has_tag
from ..workflow.security import can, require
from ..workflow.worklists import query as worklist_query
from ..workflow.worklists import worklists_for
from . import bp
from .forms import ReportForm
from .models import AnnualReport
from .operations import CURRENT, next_report, report_year, reports_of, save

#: The transitions the report's Submit button fires (the first one the state allows).
SUBMITTING = ("submit", "resubmit")


def load(report_id: int) -> AnnualReport:
    """The report, if the current user may read it (404 otherwise: nothing is revealed)."""
    report = db.get_or_404(AnnualReport, report_id)
    require("view", report)
    return report


def _dates(report: AnnualReport):
    valid_from = report.nomination.valid_from
    return report_year(valid_from, report.year) if valid_from else None


def _render(report: AnnualReport, form: ReportForm | None, status: int = 200):
    history = history_of(report)
    returned = [e for e in history if e.transition == "return"]
    return render_template(
        "reports/show.html",
        report=report,
        nomination=report.nomination,
        dates=_dates(report),
        form=form,
        transitions=available_transitions(current_user, report, menu=True),
        history=history,
        # The secretariat's request while the report is back with the city.
        returned=returned[-1] if returned and has_tag(report, "awaited") else None,
    ), status


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token: an expired one keeps what was typed
@login_required
def show(report_id: int):
    """The report: its form while the city writes it, its answers otherwise; the state menu
    (accept, return) for the secretariat."""
    report = load(report_id)
    editable = can(current_user, "edit", report)
    if request.method == "GET":
        form = None
        if editable:
            form = ReportForm(formdata=None)
            form.show(report)
        return _render(report, form)
    if not editable:
        flash(
            _(
                "This report can no longer be changed (it is “%(state)s”).",
                state=state_title(report, current_user),
            ),
            "warning",
        )
        return redirect(url_for("reports.show", report_id=report.id), 303)
    return _save(report)


def _save(report: AnnualReport):
    """Save the draft; with Submit, submit it too once complete. What was typed is shown
    again, beside its errors, whenever it is not saved."""
    form = ReportForm()
    form.validate()
    if form.errors.get("csrf_token"):
        flash(
            _("The form has expired. Your text below was not saved yet: send it again."), "danger"
        )
        return _render(report, form, 400)
    if form.version.data is not None and form.version.data != report.version:
        flash(
            _(
                "Someone else changed this report meanwhile. Your text below was not saved "
                "yet: check the report and send it again."
            ),
            "danger",
        )
        form.version.data = report.version
        return _render(report, form, 409)
    if form.errors:
        flash(_("The report is not saved: correct the fields marked below."), "danger")
        return _render(report, form)
    submitting = request.form.get("action") == "submit"
    complete = form.check_complete() if submitting else True
    try:
        save(report, form.answers(), form.language.data)
        refusal = _submit(report) if submitting and complete else None
        db.session.commit()
    except (StaleDataError, ConcurrentChange):
        db.session.rollback()
        flash(
            _(
                "Someone else saved this report at the same moment. Your text below was not "
                "saved yet: send it again."
            ),
            "danger",
        )
        return _render(report, form, 409)
    if not complete or refusal is not None:
        flash(_("Saved as a draft, not submitted: see the messages below."), "warning")
        if refusal is not None:
            flash(str(refusal), "danger")
        form.version.data = report.version
        return _render(report, form)
    if submitting:
        flash(_("The report is submitted. The secretariat will read it."), "success")
    else:
        flash(_("The draft is saved. Submit the report when it is complete."), "success")
    return redirect(url_for("reports.show", report_id=report.id), 303)


def _submit(report: AnnualReport) -> Any:
    """Fire the submission the report's state allows; the refusal's reason, or None."""
    options = [
        o for o in available_transitions(current_user, report) if o.transition.id in SUBMITTING
    ]
    if not options:
        return _("You are not allowed to do this.")
    try:
        with db.session.begin_nested():
            fire(report, options[0].transition.id, current_user)
    except ConcurrentChange:
        raise
    except WorkflowError as exc:
        return exc.message
    return None


# -- worklists ---------------------------------------------------------------------------------


@bp.get("/reports")
@login_required
def index():
    """The worklists of annual reports the user has (the secretariat's, the city's)."""
    definition = definition_for(AnnualReport)
    entries = [e for e in worklists_for(current_user) if e.definition.id == definition.id]
    return render_template("reports/index.html", entries=entries)


@bp.get("/reports/lists/<worklist_id>")
@login_required
def worklist(worklist_id: str):
    """One worklist of annual reports, by due date: city, recognition, year, state."""
    definition = definition_for(AnnualReport)
    wl = definition.worklists.get(worklist_id)
    if wl is None:
        abort(404)
    stmt = worklist_query(definition, wl, current_user).order_by(
        AnnualReport.due_on, AnnualReport.id
    )
    return render_template("reports/worklist.html", worklist=wl, page=paginate(stmt))


# -- the panel on the recognition's page -------------------------------------------------------


@panel("nominations.show", "reports/_panel.html", order=40)
def reports_panel(nomination: Nomination) -> dict[str, Any]:
    """The recognition's annual reports, for its city and the secretariat: each report with
    its state, and when the next one opens."""
    none = {"annual_reports_panel": None}
    if not current_user.is_authenticated or not nomination.programme.lifetime.annual_report:
        return none
    reports = [r for r in reports_of(nomination) if can(current_user, "view", r)]
    # Whether the user may read this recognition's reports at all (one not yet opened).
    probe = AnnualReport(nomination=nomination, year=0, state=definition_for(AnnualReport).initial)
    if not reports and not can(current_user, "view", probe):
        return none
    upcoming = None
    if has_tag(nomination, CURRENT):
        upcoming = next_report(nomination, max((r.year for r in reports), default=0))
    if not reports and upcoming is None:
        return none
    return {
        "annual_reports_panel": {
            "reports": [(r, _dates(r)) for r in reports],
            "upcoming": upcoming,
        }
    }
