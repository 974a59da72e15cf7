"""Secretariat pages: overview, worklists with bulk actions, dashboard, ranking, decisions,
announcement, audit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts.models import User
from ..audit.records import current_heads
from ..config import LANGUAGES
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import local_to_utc, ngettext, utc_to_local
from ..nominations.models import Nomination
from ..panels import panel, panels_for
from ..programmes.formbuilder import EARLIEST, LATEST
from ..programmes.models import Call
from ..review.aggregation import reviews_complete
from ..review.fairness import call_fairness, signed
from ..review.kept import call_with_kept, nomination_result
from ..review.mail import queue_manual_reminder
from ..review.models import CallRound, Consensus, Juror
from ..review.operations import reviewers
from ..review.rounds import (
    entered_each,
    last_scored_round,
    places,
    round_in_state,
    rounds_asked,
    rounds_reached,
)
from ..web import conflict, paginate, safe_next, warming_pages
from ..workflow.engine import (
    ConcurrentChange,
    NotAllowed,
    WorkflowError,
    WrongState,
    available_transitions,
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
from ..workflow.security import can, require, users_with_permission
from ..workflow.worklists import query as worklist_query
from ..workflow.worklists import worklists_for
from . import bp
from .forms import AnnouncementForm, DecisionForm
from .operations import announced_with, decide
from .queries import (
    best_in_round,
    counts_by_state,
    disagreements,
    overdue,
    parse_id,
    ranking_page,
    review_progress_page,
    reviewer_progress_page,
)

SORTS = ("total", "normalised", "name")


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
    call = call_with_kept(call_id) or abort(404)
    require("manage", call)
    counts = counts_by_state(call.id)
    definition = definition_for(Nomination)
    chart = [(s.id, _(s.title), counts.get(s.id, 0)) for s in definition.states.values()]
    progress = review_progress_page(call.id, counts)
    reviewer_rows = reviewer_progress_page(call.id)
    disagreement_count, disagreement_rows = disagreements(call)
    fairness_kept = call_fairness(call)
    return render_template(
        "secretariat/dashboard.html",
        call=call,
        chart=chart,
        total=sum(counts.values()),
        progress=progress,
        reviewers=reviewer_rows,
        overdue=overdue(call),
        disagreements=disagreement_rows,
        disagreement_count=disagreement_count,
        rounds=_rounds_overview(call, counts),
        fairness=fairness_kept.value,
        fairness_kept=fairness_kept,
        fairness_round=call.programme.rounds[0],
        signed=signed,
    )


def _rounds_overview(call, counts: dict[str, int]) -> list[dict[str, Any]]:
    """The call's rounds for the dashboard: how many nominations are in each now and how
    many entered it, its deadline, its jury (three queries whatever the rounds)."""
    programme = call.programme
    if len(programme.rounds) < 2:
        return []
    settings = {
        r.round: r
        for r in db.session.scalars(sa.select(CallRound).where(CallRound.call_id == call.id))
    }
    jury: dict[str, list[User]] = {}
    for juror in db.session.scalars(
        sa.select(Juror).where(Juror.call_id == call.id).order_by(Juror.user_id)
    ):
        jury.setdefault(juror.round, []).append(juror.user)
    pool = reviewers() if any(r.panel == "jury" for r in programme.rounds) else []
    came = entered_each(call.id, programme.rounds)
    overview = []
    for round_ in programme.rounds:
        own = settings.get(round_.id)
        deadline = own.review_deadline if own and own.review_deadline else None
        members = jury.get(round_.id, [])
        overview.append(
            {
                "round": round_,
                "now": sum(counts.get(state, 0) for state in round_.states),
                "entered": came[round_.id],
                "places": places(call, round_, came),
                "deadline": deadline,
                # As the browser's date-time field takes it, in the reader's time zone.
                "deadline_input": utc_to_local(deadline).strftime("%Y-%m-%dT%H:%M")
                if deadline
                else "",
                "jury": members,
                "candidates": [u for u in pool if u not in members],
            }
        )
    return overview


def _call_round(call_id: int, round_id: str):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    round_ = next((r for r in call.programme.rounds if r.id == round_id), None)
    if round_ is None:
        abort(404)
    return call, round_


@bp.post("/calls/<int:call_id>/rounds/<round_id>/deadline")
@login_required
def round_deadline(call_id: int, round_id: str):
    """Set (or clear: the call's then applies) a round's review deadline."""
    call, round_ = _call_round(call_id, round_id)
    typed = (request.form.get("deadline") or "").strip()
    moment = _moment(typed, end_of_day=True) if typed else None
    if typed and moment is None:
        flash(_("Give the deadline as a date and time, e.g. 2027-03-31 18:00."), "danger")
        return redirect(url_for("secretariat.dashboard", call_id=call.id) + "#rounds", 303)
    own = db.session.get(CallRound, (call.id, round_.id))
    if own is None:
        own = CallRound(call_id=call.id, round=round_.id)
        db.session.add(own)
    own.review_deadline = moment
    db.session.commit()
    flash(_("The round's review deadline is saved."), "success")
    return redirect(url_for("secretariat.dashboard", call_id=call.id) + "#rounds", 303)


@bp.post("/calls/<int:call_id>/rounds/<round_id>/jury")
@login_required
def round_jury(call_id: int, round_id: str):
    """Add a reviewer to the round's jury, or take one off it."""
    call, round_ = _call_round(call_id, round_id)
    if round_.panel != "jury":
        abort(404)
    user_id = parse_id(request.form.get("user_id"))
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user not in reviewers():
        flash(_("Choose a reviewer."), "danger")
        return redirect(url_for("secretariat.dashboard", call_id=call.id) + "#rounds", 303)
    found = db.session.get(Juror, (call.id, round_.id, user.id))
    if request.form.get("action") == "remove":
        if found is not None:
            db.session.delete(found)
        message = _("%(name)s is no longer on the jury.", name=user.name)
    else:
        if found is None:
            db.session.add(Juror(call_id=call.id, round=round_.id, user_id=user.id))
        message = _("%(name)s is on the jury.", name=user.name)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # added by another officer at the same moment
        db.session.rollback()
    flash(message, "success")
    return redirect(url_for("secretariat.dashboard", call_id=call.id) + "#rounds", 303)


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
    """The call's nominations ranked by weighted total in one review round; sortable,
    filterable, paginated. From a round's ranking the secretariat takes the best (pre-selected
    up to the next round's places) to the next round."""
    call = call_with_kept(call_id) or abort(404)
    require("manage", call)
    programme = call.programme
    round_ = programme.round(request.args.get("round"))
    sort = request.args.get("sort", "total")
    criteria = {f"c:{c.id}" for c in round_.rubric.criteria}
    if sort not in SORTS and sort not in criteria:
        sort = "total"
    state = request.args.get("state") or None
    country = request.args.get("country") or None
    flagged = request.args.get("disagreement") == "1"
    ranking = ranking_page(call, sort, state, country, flagged, round_.id)
    page = ranking.page
    advance = _advance(call, round_, page.items)
    start = (page.page - 1) * page.per_page
    return render_template(
        "secretariat/ranking.html",
        call=call,
        programme=programme,
        round=round_,
        page=page,
        offset=start,
        sort=sort,
        state=state,
        country=country,
        flagged=flagged,
        countries=ranking.countries,
        states=definition_for(Nomination).states.values(),
        advance=advance,
        # The round's outcome as other packages weigh it (its robustness).
        **panels_for("secretariat.ranking", (call, round_)),
    )


def _advance(call, round_, rows) -> dict[str, Any] | None:
    """The next round's entry from this ranking: its transition, its places (taken and
    left), and which rows of the page may enter (those now in this round), the round's best
    pre-selected up to the places left."""
    following = call.programme.next_round(round_.id)
    if following is None or following.via is None:
        return None
    programme = call.programme
    here = [s for s in definition_for(Nomination).states if round_in_state(programme, s) is round_]
    limit = places(call, following)
    taken = entered_each(call.id, [following])[following.id]
    left = None if limit is None else max(0, limit - taken)
    eligible = {r.nomination_id for r in rows if r.state in here}
    best = [] if following.enters == "selection" else best_in_round(call, round_, left, here)
    return {
        "round": following,
        "transition": following.via,
        "places": limit,
        "taken": taken,
        "left": left,
        "eligible": eligible,
        "chosen": set(best) & eligible,
    }


#: The calls whose record head the audit page shows (the latest).
AUDITED_CALLS = 20


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
    head_calls = list(
        db.session.scalars(sa.select(Call).order_by(Call.id.desc()).limit(AUDITED_CALLS))
    )
    return render_template(
        "secretariat/audit.html",
        head_calls=head_calls,
        heads=current_heads(head_calls),
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
    scored = last_scored_round(nomination)
    if programme.decision == "strengths":
        result = nomination_result(nomination, scored.id)
        form.areas.data = list(nomination.areas_of_strength or (result.strengths if result else []))
    form.version.data = nomination.version
    return {
        "decision_form": form,
        "reviews_complete": reviews_complete(nomination, scored.id),
        "round_results": _round_results(nomination) if len(programme.rounds) > 1 else [],
    }


def _round_results(nomination: Nomination) -> list[dict[str, Any]]:
    """Every round the nomination reached: its aggregate there (none where no reviewer was
    asked) and the panel's consensus."""
    reached = rounds_reached(nomination)
    asked = rounds_asked(nomination)
    agreed = {
        c.round: c
        for c in db.session.scalars(
            sa.select(Consensus).where(Consensus.nomination_id == nomination.id)
        )
    }
    return [
        {
            "round": r,
            "result": nomination_result(nomination, r.id) if r.id in asked else None,
            "consensus": agreed.get(r.id),
        }
        for r in reached
    ]


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
        decide(nomination, form, current_user)
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


#: How many calls, the largest first, the server serves the pages of before it starts.
WARM_CALLS = 2


@warming_pages
def _largest_calls() -> list[tuple[User, str]]:
    """The secretariat's pages of the largest calls (most nominations submitted): the
    dashboard, the ranking and one nomination's page, and the secretariat's home, as an
    officer who manages the call. Their first view in a worker costs several times a later
    one (130–280 ms against 20–25 at 10,000 nominations: statements compiled, the call's
    counts and results read): served once before the workers are forked, a worker starts
    with them."""
    sizes = (
        sa.select(Nomination.call_id, sa.func.count(), sa.func.min(Nomination.id))
        .where(~tagged(Nomination, "unsubmitted"))
        .group_by(Nomination.call_id)
        .order_by(sa.func.count().desc(), Nomination.call_id)
        .limit(WARM_CALLS)
    )
    pages: list[tuple[User, str]] = []
    for call_id, _size, nomination_id in db.session.execute(sizes).all():
        call = db.session.get(Call, call_id)
        officer = next(iter(users_with_permission("manage", call)), None)
        if officer is None:
            continue
        pages += [
            (officer, url_for("secretariat.dashboard", call_id=call_id)),
            (officer, url_for("secretariat.ranking", call_id=call_id)),
            (officer, url_for("nominations.show", nomination_id=nomination_id)),
        ]
    if pages:
        officer = pages[0][0]
        pages[:0] = [
            (officer, url_for("main.home")),
            (officer, url_for("secretariat.index")),
        ]
    return pages
