"""Secretariat pages: overview, worklists with bulk actions, dashboard, ranking, decisions,
announcement, audit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..accounts.models import City, User
from ..config import LANGUAGES
from ..extensions import db
from ..i18n import local_to_utc
from ..nominations.models import Nomination
from ..panels import panel
from ..programmes.formbuilder import EARLIEST, LATEST
from ..programmes.models import Call
from ..review.aggregation import aggregate_nomination, reviews_complete
from ..review.mail import queue_manual_reminder
from ..web import conflict, paginate, paginate_list, safe_next
from ..workflow.engine import (
    ConcurrentChange,
    NotAllowed,
    WorkflowError,
    WrongState,
    available_transitions,
    fire,
    fire_many,
)
from ..workflow.history import WorkflowEvent
from ..workflow.registry import (
    Consequence,
    bound_models,
    consequences,
    definition_for,
    has_tag,
    page_of,
    registry,
    tagged,
)
from ..workflow.security import can, require
from ..workflow.worklists import query as worklist_query
from ..workflow.worklists import worklists_for
from . import bp
from .forms import AnnouncementForm, DecisionForm
from .operations import announced_with
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
    if model is Nomination and len(states) == 1:
        # Offer the transitions the user may fire on these items, as on one of them.
        bulk = [
            o.transition
            for o in available_transitions(current_user, page.items[0])
            if o.enabled and o.transition.bulk
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
    declared = definition_for(Nomination).transitions.get(transition)
    if declared is None or not declared.bulk:
        abort(404)
    # Each nomination in its own savepoint: one refused, or changed by someone else
    # meanwhile, leaves the others done.
    results = fire_many(nominations, transition, current_user, request.form.get("comment"))
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
    return render_template("secretariat/bulk_result.html", results=results, title=declared.title)


@bp.get("/calls/<int:call_id>/dashboard")
@login_required
def dashboard(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    counts = counts_by_state(call.id)
    definition = definition_for(Nomination)
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


@bp.post("/calls/<int:call_id>/remind/<int:reviewer_id>")
@login_required
def remind(call_id: int, reviewer_id: int):
    """Queue a reminder to a reviewer about their outstanding reviews in the call."""
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    reviewer = db.get_or_404(User, reviewer_id)
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
        states=definition_for(Nomination).states.values(),
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
        page_of=page_of,
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
    if not EARLIEST <= moment.date() <= LATEST:
        return None
    if end_of_day and len(value) <= 10:
        moment = moment.replace(hour=23, minute=59, second=59, microsecond=999999)
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return local_to_utc(moment)


# -- decisions -------------------------------------------------------------------------------


@panel("nominations.show", "secretariat/_decision.html", order=20)
def decision_panel(nomination: Nomination) -> dict[str, Any]:
    """The decision form, for those who may decide; pre-filled from the scores."""
    if not can(current_user, "decide", nomination):
        return {"decision_form": None}
    programme = nomination.programme
    form = DecisionForm(formdata=None)
    form.configure(programme)
    if programme.decision == "strengths":
        result = aggregate_nomination(nomination)
        form.areas.data = list(nomination.areas_of_strength or (result.strengths if result else []))
    form.version.data = nomination.version
    return {"decision_form": form, "reviews_complete": reviews_complete(nomination)}


@bp.post("/nominations/<int:nomination_id>/decide")
@login_required
def decide_view(nomination_id: int):
    """Record the decision: the engine checks who may decide and the programme's rules.

    A decision that lost a race to another answers 409 (see web.py), never 403.
    """
    nomination = db.get_or_404(Nomination, nomination_id)
    require("view", nomination)
    form = DecisionForm()
    form.configure(nomination.programme)
    back = url_for("nominations.show", nomination_id=nomination.id)
    if not form.validate_on_submit():
        for field_errors in form.errors.values():
            for error in field_errors:
                flash(error, "danger")
        return redirect(back + "#decision")
    try:
        fire(
            nomination,
            form.outcome.data,
            current_user,
            form.comment.data,
            expected_version=form.version.data,
            data=form.decision(),
        )
    except (ConcurrentChange, WrongState) as exc:
        return conflict(exc.message)  # someone else decided first: 409, a link back
    except NotAllowed:
        abort(403)
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(back + "#decision")
    db.session.commit()
    flash(_("The decision is recorded."), "success")
    return redirect(back)


# -- announcement ----------------------------------------------------------------------------


@consequences("call", "announce")
def who_is_told_what(call: Call) -> list[Consequence]:
    """On the announcement's confirmation page: each decided city, and what it will learn."""
    found = []
    for name, nominations in announced_with(call):
        rows = tuple((n.nominee_name(), _outcome(n)) for n in nominations)
        if not rows:
            continue
        text = (
            ngettext(
                "%(num)d recognised nomination becomes public; its city is told:",
                "%(num)d recognised nominations become public; their cities are told:",
                len(rows),
            )
            if name == "announce"
            else ngettext(
                "%(num)d city is told that its nomination is not recognised:",
                "%(num)d cities are told that their nominations are not recognised:",
                len(rows),
            )
        )
        found.append(Consequence(text, rows))
    if not found:
        found.append(Consequence(_("No nomination of this call is decided: nobody is told.")))
    return found


def _outcome(nomination: Nomination) -> str:
    """What a decided nomination's city will read: the level, or the areas of strength."""
    programme = nomination.programme
    level = programme.level(nomination.award_level or "")
    if level is not None:
        return _(level.title)
    if nomination.areas_of_strength:
        return _(
            "Areas of strength: %(areas)s", areas=", ".join(map(str, nomination.areas_of_strength))
        )
    return _("Not recognised") if not has_tag(nomination, "recognition") else _("Recognised")


@bp.route("/calls/<int:call_id>/announcement", methods=["GET", "POST"])
@login_required
def announcement(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    form = AnnouncementForm.build(call)
    if form.validate_on_submit() and can(current_user, "edit", call):
        call.announcement = {
            code: (form[f"text_{code}"].data or "").strip()
            for code in LANGUAGES
            if (form[f"text_{code}"].data or "").strip()
        }
        db.session.commit()
        flash(_("The announcement text is saved."), "success")
        return redirect(url_for("secretariat.announcement", call_id=call.id))
    recognised = db.session.scalars(
        sa.select(Nomination)
        .where(Nomination.call_id == call.id, tagged(Nomination, "recognition"))
        .order_by(Nomination.id)
    ).all()
    return render_template(
        "secretariat/announcement.html",
        call=call,
        form=form,
        # The call's language: its text is required before the call is announced, and
        # readers of a language without a text read it.
        source=call.source_language,
        recognised=recognised,
        editable=can(current_user, "edit", call),
        next_url=request.path,
    )
