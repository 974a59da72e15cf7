"""Reviewer pages: "My reviews", an assignment with the scoring form beside the nomination;
the secretariat's assignment actions on a nomination."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from ..accounts.models import User
from ..extensions import csrf, db
from ..i18n import gettext as _
from ..nominations.models import Nomination
from ..nominations.operations import files_by_field
from ..pagecache import unshown
from ..panels import panels_for
from ..programmes.formbuilder import format_answer
from ..programmes.models import Call
from ..timeutil import utcnow
from ..web import paginate
from ..workflow.engine import CONCURRENT_MESSAGE, WorkflowError, available_transitions, fire
from ..workflow.registry import tagged
from ..workflow.security import can, require
from . import bp
from .forms import AssignForm, review_data, scoring_form
from .kept import ensure_loads
from .models import Assignment, Post
from .operations import (
    AssignmentRefused,
    assign,
    auto_assign,
    other_reviews,
    own_assignments,
    own_worklists,
    review_refusal,
    reviewers,
    save_review,
)
from .panel import picker
from .rounds import review_deadline


@bp.get("/reviews")
@login_required
def mine():
    """The reviewer's worklists (review.yaml's, for the assignee): to accept, to score,
    submitted — with deadlines and counts. Without a chosen one, the first that holds
    something opens (an invitation before an empty "to score")."""
    require("review")
    # The worklists of one's own assignments: those of a local role, not of a global one.
    worklists = own_worklists()
    counts = dict(
        db.session.execute(
            sa.select(Assignment.state, sa.func.count())
            .where(Assignment.reviewer_id == current_user.id)
            .group_by(Assignment.state)
        ).all()
    )
    sizes = {wl.id: sum(counts.get(s, 0) for s in wl.states) for wl in worklists.values()}
    group = request.args.get("group") or next(
        (wl_id for wl_id, size in sizes.items() if size), next(iter(worklists))
    )
    if group not in worklists:
        abort(404)
    states = worklists[group].states
    user = current_user._get_current_object()
    seen = user.reviews_seen_at
    # The list names the nominee (with its city) and the call: the nomination's own city
    # and partner are not read (two joins fewer to plan for every view).
    nomination = sa.orm.defaultload(Assignment.nomination)
    stmt = (
        own_assignments(user.id)
        .where(Assignment.state.in_(states))
        .options(nomination.lazyload(Nomination.city), nomination.lazyload(Nomination.partner))
    )
    page = paginate(stmt, scalars=False)
    fresh = since_last_visit(user, seen, [a for a, _deadline in page.items])
    html = render_template(
        "review/mine.html",
        page=page,
        group=group,
        worklist=worklists[group],
        groups=[(wl, sizes[wl.id]) for wl in worklists.values()],
        seen=seen,
        fresh=fresh,
    )
    # The visit is noted once the page is written: committing earlier would expire (and
    # load again) what the page reads. Only this page shows it: what is kept stands.
    db.session.execute(
        unshown(sa.update(User).where(User.id == user.id).values(reviews_seen_at=utcnow()))
    )
    db.session.commit()
    return html


def since_last_visit(user, seen, shown: list[Assignment]) -> dict[str, Any]:
    """What came since the reviewer's last visit: new assignments (all of theirs), and, for
    the assignments shown, how many messages others wrote in their round's discussion."""
    if seen is None:
        return {"assignments": 0, "messages": 0, "new": set(), "talk": {}}
    new_assignments = db.session.scalar(
        sa.select(sa.func.count()).where(
            Assignment.reviewer_id == user.id, Assignment.assigned_at > seen
        )
    )
    talk: dict[int, int] = {}
    if shown:
        pairs = {(a.nomination_id, a.round): a.id for a in shown}
        rows = db.session.execute(
            sa.select(Post.nomination_id, Post.round, sa.func.count())
            .where(
                sa.tuple_(Post.nomination_id, Post.round).in_(list(pairs)),
                Post.created_at > seen,
                Post.author_id != user.id,
            )
            .group_by(Post.nomination_id, Post.round)
        )
        talk = {pairs[(n, r)]: count for n, r, count in rows}
    all_messages = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Post)
        .join(
            Assignment,
            sa.and_(
                Assignment.nomination_id == Post.nomination_id,
                Assignment.round == Post.round,
                Assignment.reviewer_id == user.id,
                tagged(Assignment, "counted"),
            ),
        )
        .where(Post.created_at > seen, Post.author_id != user.id)
    )
    return {
        "assignments": new_assignments,
        "messages": all_messages,
        "new": {a.id for a in shown if a.assigned_at > seen},
        "talk": talk,
    }


def load(assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    require("view", assignment)
    return assignment


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
@csrf.exempt
def review(assignment_id: int):
    """The scoring page: the nomination beside the rubric. Saving keeps what was typed.

    Exempt from the site-wide CSRF check, which would answer an expired token with an error
    page: the scoring form checks its own token instead and gives back what was typed,
    unsaved. A POST without a session stores nothing (any site could send one): the page's
    script keeps what the reviewer typed in their own browser, and gives it back after they
    sign in again.
    """
    if not current_user.is_authenticated:
        if request.method == "POST":
            flash(
                _("Your session ended. Sign in again: what you typed is kept in this browser."),
                "warning",
            )
        return redirect(url_for("accounts.login", next=request.path), 303)
    assignment = load(assignment_id)
    programme = assignment.nomination.programme
    if request.method == "POST":
        return _post(assignment, programme)
    rubric = programme.round(assignment.round).rubric
    form = scoring_form(programme, rubric=rubric, formdata=MultiDict(review_data(assignment)))
    return _render(assignment, form)


def _post(assignment: Assignment, programme):
    """Save the draft (valid or not), then submit it when asked and complete."""
    if not can(current_user, "score", assignment):
        flash(_("This review can no longer be changed."), "warning")
        return redirect(request.path, 303)
    submitting = request.form.get("action") == "submit"
    form = scoring_form(
        programme, strict=submitting, rubric=programme.round(assignment.round).rubric
    )
    valid = form.validate()
    if form.errors.get("csrf_token"):
        flash(
            _(
                "The form had expired. Nothing was saved yet: check your answers below and "
                "save again."
            ),
            "danger",
        )
        return _render(assignment, form, editable=True), 400
    try:
        save_review(assignment, request.form.to_dict())
        if submitting and valid:
            fire(assignment, "submit", current_user)
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _render(assignment, form, editable=True), 409
    except (IntegrityError, StaleDataError):
        # Saved at the same moment from another tab: give back what was typed, unsaved.
        db.session.rollback()
        flash(str(CONCURRENT_MESSAGE), "danger")
        return _render(assignment, form, editable=True), 409
    if submitting and not valid:
        flash(
            _("Saved as a draft. To submit, score every criterion and give a recommendation."),
            "warning",
        )
        return _render(assignment, form), 400
    if not valid:
        flash(
            _("Saved as a draft. Some answers need attention: see the messages below."), "warning"
        )
        return _render(assignment, form), 200
    if submitting:
        flash(_("Your review is submitted. Thank you."), "success")
    else:
        flash(_("Your review is saved as a draft."), "success")
    return redirect(url_for("review.review", assignment_id=assignment.id), 303)


def _render(assignment: Assignment, form, editable: bool | None = None):
    """The scoring page; ``editable`` forces the form (to give back a refused POST)."""
    nomination = assignment.nomination
    call = nomination.call
    round_ = nomination.programme.round(assignment.round)
    shared = (
        call.reviewers_see_scores if round_.see_other_scores is None else round_.see_other_scores
    )
    see_others = shared and can(current_user, "see_other_scores", assignment)
    may_score = can(current_user, "score", assignment)
    refusal = review_refusal(assignment) if may_score else None
    return render_template(
        "review/review.html",
        assignment=assignment,
        nomination=nomination,
        programme=nomination.programme,
        round=round_,
        rubric=round_.rubric,
        review_deadline=review_deadline(call, round_.id),
        form=form,
        editable=editable if editable is not None else may_score and refusal is None,
        refusal=refusal,
        transitions=available_transitions(current_user, assignment, menu=True),
        others=other_reviews(assignment) if see_others else [],
        format_answer=format_answer,
        files_by_field=files_by_field(nomination)
        if can(current_user, "view_file", nomination)
        else {},
        show_nomination=can(current_user, "view", nomination),
        **panels_for("review.review", assignment),
    )


@bp.get("/nominations/<int:nomination_id>/invite")
@login_required
def invite(nomination_id: int):
    """The reviewer picker: whom to invite to review the nomination."""
    nomination = db.get_or_404(Nomination, nomination_id)
    require("assign", nomination)
    ensure_loads(nomination.call_id, commit=True)  # the first look at a call counts them
    return render_template("review/invite.html", nomination=nomination, picker=picker(nomination))


@bp.post("/nominations/<int:nomination_id>/assign")
@login_required
def assign_reviewer(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    require("assign", nomination)
    form = AssignForm()
    form.reviewer.choices = [(r.id, r.name) for r in reviewers()]
    if form.validate_on_submit():
        reviewer = db.session.get(User, form.reviewer.data)
        try:
            assign(nomination, reviewer, current_user)
            db.session.commit()
        except AssignmentRefused as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("review.invite", nomination_id=nomination.id))
        except IntegrityError:
            # Another officer invited the same reviewer at the same moment.
            db.session.rollback()
            flash(_("This reviewer was already asked for this nomination."), "danger")
            return redirect(url_for("review.invite", nomination_id=nomination.id))
        else:
            flash(_("%(name)s is invited to review.", name=reviewer.name), "success")
    else:
        flash(_("Choose a reviewer."), "danger")
        return redirect(url_for("review.invite", nomination_id=nomination.id))
    return redirect(url_for("nominations.show", nomination_id=nomination.id))


@bp.post("/calls/<int:call_id>/auto-assign")
@login_required
def auto_assign_call(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    round_ = call.programme.round(request.form.get("round"))
    try:
        report = auto_assign(call, current_user, round_.id)
        db.session.commit()
    except IntegrityError:
        # Another officer assigned reviewers to the call at the same moment.
        db.session.rollback()
        flash(str(CONCURRENT_MESSAGE), "danger")
        return redirect(url_for("secretariat.dashboard", call_id=call.id), 303)
    nominations = {
        n.id: n
        for n in db.session.scalars(
            sa.select(Nomination).where(
                Nomination.id.in_(set(report.assigned) | set(report.skipped) | set(report.short))
            )
        )
    }
    return render_template(
        "review/auto_assign.html",
        call=call,
        report=report,
        nominations=nominations,
        round=round_ if len(call.programme.rounds) > 1 else None,
    )
