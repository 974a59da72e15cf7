"""Secretariat pages: overview, worklists with bulk actions, dashboard, ranking, audit."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import City, User
from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..web import Page, paginate
from ..workflow.engine import available_transitions, fire_many
from ..workflow.history import WorkflowEvent
from ..workflow.registry import bound_models, registry
from ..workflow.security import can, require
from ..workflow.worklists import query as worklist_query
from ..workflow.worklists import worklists_for
from . import bp
from .queries import (
    counts_by_state,
    overdue,
    ranking_rows,
    review_progress_stmt,
    reviewer_progress_stmt,
)

SORTS = ("total", "normalised", "city")


@bp.get("/")
@login_required
def index():
    require("run_campaign")
    calls = db.session.scalars(sa.select(Call).order_by(Call.closes_at.desc())).all()
    counts = {
        (call_id, state): n
        for call_id, state, n in db.session.execute(
            sa.select(Nomination.call_id, Nomination.state, sa.func.count()).group_by(
                Nomination.call_id, Nomination.state
            )
        )
    }
    return render_template(
        "secretariat/index.html",
        calls=calls,
        counts=counts,
        worklists=worklists_for(current_user),
    )


@bp.get("/worklists/<workflow_id>/<worklist_id>")
@login_required
def worklist(workflow_id: str, worklist_id: str):
    """Any worklist of the definitions, paginated; nominations get bulk actions."""
    definition = registry().definitions.get(workflow_id)
    if definition is None or worklist_id not in definition.worklists:
        abort(404)
    wl = definition.worklists[worklist_id]
    model = bound_models().get(workflow_id)
    if model is None:
        abort(404)
    stmt = worklist_query(definition, wl, current_user).order_by(model.id)
    page = paginate(stmt)
    bulk = []
    states = {getattr(item, definition.state_attribute) for item in page.items}
    if workflow_id == "nomination" and len(states) == 1:
        # Offer the transitions the user may fire on these items, as on one of them.
        bulk = [
            o.transition for o in available_transitions(current_user, page.items[0]) if o.enabled
        ]
    return render_template(
        "secretariat/worklist.html", definition=definition, worklist=wl, page=page, bulk=bulk
    )


@bp.post("/bulk/<transition>")
@login_required
def bulk(transition: str):
    """Fire a transition on the selected nominations; report each result."""
    require("run_campaign")
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if not ids:
        flash(_("Select at least one nomination."), "warning")
        return redirect(request.referrer or url_for("secretariat.index"))
    nominations = db.session.scalars(
        sa.select(Nomination).where(Nomination.id.in_(ids)).order_by(Nomination.id)
    ).all()
    nominations = [n for n in nominations if can(current_user, "view", n)]
    if transition not in registry().get("nomination").transitions:
        abort(404)
    results = fire_many(nominations, transition, current_user, request.form.get("comment"))
    db.session.commit()
    done = sum(1 for r in results if r.done)
    flash(
        _("%(done)d of %(total)d done.", done=done, total=len(results)),
        "success" if done == len(results) else "warning",
    )
    title = registry().get("nomination").transitions[transition].title
    return render_template("secretariat/bulk_result.html", results=results, title=title)


@bp.get("/calls/<int:call_id>/dashboard")
@login_required
def dashboard(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    counts = counts_by_state(call.id)
    definition = registry().get("nomination")
    chart = [(s.id, _(s.title), counts.get(s.id, 0)) for s in definition.states.values()]
    progress = paginate(review_progress_stmt(call.id), scalars=False)
    reviewers = _paginate_rows(reviewer_progress_stmt(call.id), "rpage")
    from ..review.aggregation import aggregate_call

    results = aggregate_call(call)
    disagreements = sorted(i for i, r in results.items() if r.disagreement)
    cities = dict(
        db.session.execute(
            sa.select(Nomination.id, City.name)
            .join(City)
            .where(Nomination.id.in_(disagreements[:20] or [-1]))
        ).all()
    )
    return render_template(
        "secretariat/dashboard.html",
        call=call,
        chart=chart,
        total=sum(counts.values()),
        progress=progress,
        reviewers=reviewers,
        overdue=overdue(call),
        disagreements=[(i, cities.get(i, "")) for i in disagreements[:20]],
        disagreement_count=len(disagreements),
    )


def _paginate_rows(stmt, arg: str) -> Page:
    per_page = current_app.config["RECOGNITION_PAGE_SIZE"]
    try:
        page = max(1, int(request.args.get(arg, 1)))
    except ValueError:
        page = 1
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows, page, per_page, total or 0)


@bp.post("/calls/<int:call_id>/remind/<int:reviewer_id>")
@login_required
def remind(call_id: int, reviewer_id: int):
    """Queue a reminder to a reviewer about their outstanding reviews in the call."""
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    reviewer = db.get_or_404(User, reviewer_id)
    from ..notifications.operations import queue_manual_reminder

    if queue_manual_reminder(call, reviewer):
        db.session.commit()
        flash(_("A reminder is on its way to %(name)s.", name=reviewer.name), "success")
    else:
        flash(_("%(name)s has no outstanding review in this call.", name=reviewer.name), "info")
    return redirect(url_for("secretariat.dashboard", call_id=call.id))


@bp.get("/calls/<int:call_id>/ranking")
@login_required
def ranking(call_id: int):
    """The call's nominations ranked by weighted total; sortable, filterable, paginated."""
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    sort = request.args.get("sort", "total")
    criteria = {f"c:{c.id}" for c in call.programme.rubric.criteria}
    if sort not in SORTS and sort not in criteria:
        sort = "total"
    state = request.args.get("state") or None
    country = request.args.get("country") or None
    flagged = request.args.get("disagreement") == "1"
    rows = ranking_rows(call, state, country, flagged)
    rows.sort(key=lambda r: r.key(sort), reverse=sort != "city")
    per_page = current_app.config["RECOGNITION_PAGE_SIZE"]
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    pages = max(1, -(-len(rows) // per_page))
    number = min(number, pages)
    start = (number - 1) * per_page
    page = Page(rows[start : start + per_page], number, per_page, len(rows))
    countries = sorted(
        c
        for (c,) in db.session.execute(
            sa.select(City.country).join(Nomination).where(Nomination.call_id == call.id).distinct()
        )
    )
    return render_template(
        "secretariat/ranking.html",
        call=call,
        programme=call.programme,
        page=page,
        offset=start,
        sort=sort,
        state=state,
        country=country,
        flagged=flagged,
        countries=countries,
        states=registry().get("nomination").states.values(),
    )


@bp.get("/audit")
@login_required
def audit():
    """Every workflow event, filterable by object, actor, transition and date."""
    require("view_audit")
    stmt = sa.select(WorkflowEvent).order_by(WorkflowEvent.id.desc())
    args = request.args
    if args.get("object_type"):
        stmt = stmt.where(WorkflowEvent.object_type == args["object_type"])
    if args.get("object_id", "").isdigit():
        stmt = stmt.where(WorkflowEvent.object_id == int(args["object_id"]))
    if args.get("transition"):
        stmt = stmt.where(WorkflowEvent.transition == args["transition"])
    if args.get("actor"):
        stmt = stmt.join(User, User.id == WorkflowEvent.actor_id).where(
            User.email.contains(args["actor"].strip().lower())
        )
    for name, op in (("since", "__ge__"), ("until", "__le__")):
        value = args.get(name)
        if value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                flash(_("Dates are written as YYYY-MM-DD."), "warning")
                continue
            if name == "until" and len(value) <= 10:
                moment = moment.replace(hour=23, minute=59, second=59)
            stmt = stmt.where(getattr(WorkflowEvent.at, op)(moment))
    transitions = sorted({t for d in registry().definitions.values() for t in d.transitions})
    return render_template(
        "secretariat/audit.html",
        page=paginate(stmt),
        object_types=sorted(d.applies_to for d in registry().definitions.values() if d.transitions),
        transitions=transitions,
    )
