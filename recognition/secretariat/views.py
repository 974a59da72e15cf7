"""Secretariat pages: overview, worklists with bulk actions, dashboard, ranking, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..accounts.models import City, User
from ..extensions import db
from ..i18n import local_to_utc
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..web import paginate, paginate_list, safe_next
from ..workflow.engine import available_transitions
from ..workflow.history import WorkflowEvent
from ..workflow.operations import perform_many
from ..workflow.registry import bound_models, registry
from ..workflow.security import can, require
from ..workflow.worklists import query as worklist_query
from ..workflow.worklists import worklists_for
from . import ID, bp
from .queries import (
    counts_by_state,
    disagreement_ids,
    overdue,
    parse_id,
    ranking_rows,
    review_progress_stmt,
    reviewer_progress_stmt,
)

SORTS = ("total", "normalised", "city")
#: The page of each kind of object in the history: (endpoint, argument).
OBJECT_LINKS = {
    "nomination": ("nominations.show", "nomination_id"),
    "call": ("programmes.call", "call_id"),
    "city": ("accounts.city", "city_id"),
    "assignment": ("review.review", "assignment_id"),
}
#: Nomination transitions not offered over a selection: nominations are announced with
#: their call (the call's "announce"), never one by one.
NOT_IN_BULK = frozenset({"announce"})


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
            o.transition
            for o in available_transitions(current_user, page.items[0])
            if o.enabled and o.transition.id not in NOT_IN_BULK
        ]
    return render_template(
        "secretariat/worklist.html", definition=definition, worklist=wl, page=page, bulk=bulk
    )


@bp.post("/bulk/<transition>")
@login_required
def bulk(transition: str):
    """Fire a transition on the selected nominations; report each result."""
    require("run_campaign")
    ids = [i for i in map(parse_id, request.form.getlist("ids")) if i is not None]
    if not ids:
        flash(_("Select at least one nomination."), "warning")
        return redirect(safe_next(request.referrer, url_for("secretariat.index")))
    nominations = db.session.scalars(
        sa.select(Nomination).where(Nomination.id.in_(ids)).order_by(Nomination.id)
    ).all()
    nominations = [n for n in nominations if can(current_user, "view", n)]
    if transition not in registry().get("nomination").transitions:
        abort(404)
    results = perform_many(nominations, transition, current_user, request.form.get("comment"))
    db.session.commit()
    done = sum(1 for r in results if r.done)
    flash(
        ngettext(
            "Done for %(done)d of %(num)d nomination.",
            "Done for %(done)d of %(num)d nominations.",
            len(results),
            done=done,
        ),
        "success" if done == len(results) else "warning",
    )
    title = registry().get("nomination").transitions[transition].title
    return render_template("secretariat/bulk_result.html", results=results, title=title)


@bp.get(f"/calls/<{ID}:call_id>/dashboard")
@login_required
def dashboard(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    counts = counts_by_state(call.id)
    definition = registry().get("nomination")
    chart = [(s.id, _(s.title), counts.get(s.id, 0)) for s in definition.states.values()]
    progress = paginate(review_progress_stmt(call.id), scalars=False)
    reviewers = paginate(reviewer_progress_stmt(call.id), scalars=False, arg="rpage")
    disagreements = disagreement_ids(call)
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


@bp.post(f"/calls/<{ID}:call_id>/remind/<{ID}:reviewer_id>")
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


@bp.get(f"/calls/<{ID}:call_id>/ranking")
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
    page = paginate_list(rows)
    start = (page.page - 1) * page.per_page
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
    object_id = parse_id(args.get("object_id"))
    if object_id is not None:
        stmt = stmt.where(WorkflowEvent.object_id == object_id)
    if args.get("transition"):
        stmt = stmt.where(WorkflowEvent.transition == args["transition"])
    if args.get("actor"):
        stmt = stmt.join(User, User.id == WorkflowEvent.actor_id).where(
            User.email.contains(args["actor"].strip().lower())
        )
    for name, op in (("since", "__ge__"), ("until", "__le__")):
        value = args.get(name, "").strip()
        if value:
            moment = _moment(value, end_of_day=name == "until")
            if moment is None:
                flash(_("Dates are written as YYYY-MM-DD."), "warning")
                continue
            stmt = stmt.where(getattr(WorkflowEvent.at, op)(moment))
    definitions = [d for d in registry().definitions.values() if d.transitions]
    titles: dict[str, set[str]] = {}
    for definition in definitions:
        for transition in definition.transitions.values():
            titles.setdefault(transition.id, set()).add(_(transition.title))
    # A transition id can mean different actions in different workflows ("announce").
    transitions = sorted(
        ((tid, " / ".join(sorted(names))) for tid, names in titles.items()),
        key=lambda pair: pair[1].casefold(),
    )
    object_types = {d.applies_to: _(d.title) for d in definitions}
    return render_template(
        "secretariat/audit.html",
        page=paginate(stmt),
        object_types=sorted(object_types.items(), key=lambda pair: pair[1].casefold()),
        object_titles=object_types,
        object_links=OBJECT_LINKS,
        transitions=transitions,
    )


def _moment(value: str, end_of_day: bool = False) -> datetime | None:
    """A typed date or date-time as naive UTC, as the history stores it; None if unreadable.

    A date alone means the user's day (its end for ``until``); a time without an offset is
    in the user's time zone; one with an offset is converted from it.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if end_of_day and len(value) <= 10:
        moment = moment.replace(hour=23, minute=59, second=59, microsecond=999999)
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return local_to_utc(moment)
