"""With a token, for reviewers: their assignments, one assignment with its scores, and
saving (then submitting) a review, validated by the scoring page's own form."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..i18n import gettext as _
from ..review.forms import scoring_form
from ..review.models import Assignment
from ..review.operations import own_assignments, own_worklists, save_review
from ..review.rounds import review_deadline
from ..web import problem
from ..workflow.engine import CONCURRENT_MESSAGE, ConcurrentChange, WorkflowError, fire
from ..workflow.security import can, permission_clause, require
from . import schemas as s
from .auth import TOKEN, api_blueprint
from .common import call_ref, form_data, invalid, options_doc, page_doc, paged_rows, state_doc, utc
from .nominations import signed_in

blp = api_blueprint("api-reviews", "A reviewer's assignments and reviews.")


def assignment_doc(assignment: Assignment, deadline: Any) -> dict[str, Any]:
    nomination = assignment.nomination
    return {
        "id": assignment.id,
        "nomination_id": nomination.id,
        "nominee": str(nomination.nominee_name()),
        "call": call_ref(nomination.call),
        "round": assignment.round,
        "state": state_doc(assignment),
        "version": assignment.version,
        "deadline": utc(deadline),
    }


def detail_doc(assignment: Assignment) -> dict[str, Any]:
    programme = assignment.nomination.programme
    rubric = programme.round(assignment.round).rubric
    scores = []
    for criterion in rubric.criteria:
        score = assignment.score_for(criterion.id)
        scores.append(
            {
                "criterion": criterion.id,
                "title": _(criterion.title),
                "min": criterion.min,
                "max": criterion.max,
                "value": score.value if score else None,
                "comment": score.comment if score else "",
            }
        )
    return {
        **assignment_doc(assignment, review_deadline(assignment.nomination.call, assignment.round)),
        "scores": scores,
        "recommendation": assignment.recommendation or "",
        "recommendations": [{"id": k, "title": _(t)} for k, t in rubric.recommendations],
        "comment_for_city": assignment.comment_for_city,
        "comment_confidential": assignment.comment_confidential,
        "transitions": options_doc(assignment),
    }


def load(assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    require("view", assignment)
    return assignment


@blp.get("/assignments")
@blp.arguments(s.AssignmentArgs, location="query")
@blp.response(200, s.paged(s.AssignmentSchema, "AssignmentPage"))
@blp.doc(security=TOKEN)
def assignment_list(args):
    """The token's user's own assignments, by deadline; ``worklist`` narrows them as the
    "My reviews" page does (to accept, to score, submitted)."""
    signed_in()
    require("review")
    worklists = own_worklists()
    stmt = own_assignments(current_user.id).where(
        permission_clause(Assignment, "view", current_user)
    )
    if args.get("worklist"):
        if args["worklist"] not in worklists:
            abort(404)
        stmt = stmt.where(Assignment.state.in_(worklists[args["worklist"]].states))
    page = paged_rows(stmt, args, scalars=False)
    return page_doc(page, [assignment_doc(a, d) for a, d in page.items])


@blp.get("/assignments/<int:assignment_id>")
@blp.response(200, s.AssignmentDetailSchema)
@blp.doc(security=TOKEN)
def assignment(assignment_id: int):
    """An assignment the reader may see, with its rubric's criteria and the scores so far."""
    signed_in()
    return detail_doc(load(assignment_id))


@blp.put("/assignments/<int:assignment_id>/review")
@blp.arguments(s.ReviewSchema)
@blp.response(200, s.AssignmentDetailSchema)
@blp.doc(security=TOKEN)
def review(body, assignment_id: int):
    """Save the review as typed (a draft), then submit it when ``submit`` is true and it is
    complete. Invalid answers are saved and answered 422 with the form's messages, as the
    page keeps them and shows them."""
    signed_in()
    assignment = load(assignment_id)
    if not can(current_user, "score", assignment):
        return problem(409, _("This review can no longer be changed."))
    programme = assignment.nomination.programme
    rubric = programme.round(assignment.round).rubric
    known = {c.id for c in rubric.criteria}
    unknown = [score["criterion"] for score in body["scores"] if score["criterion"] not in known]
    if unknown:
        errors = {name: [_("The rubric has no such criterion.")] for name in unknown}
        return problem(422, errors={"json": {"scores": errors}})
    data: dict[str, Any] = {
        "recommendation": body["recommendation"],
        "comment_for_city": body["comment_for_city"],
        "comment_confidential": body["comment_confidential"],
    }
    given = {score["criterion"]: score for score in body["scores"]}
    for criterion in rubric.criteria:
        score = given.get(criterion.id)
        stored = assignment.score_for(criterion.id)
        value = score["value"] if score else (stored.value if stored else None)
        data[f"score_{criterion.id}"] = "" if value is None else str(value)
        data[f"comment_{criterion.id}"] = (
            score["comment"] if score else (stored.comment if stored else "")
        )
    submitting = body["submit"]
    form = scoring_form(
        programme, strict=submitting, rubric=rubric, formdata=form_data(data), meta={"csrf": False}
    )
    valid = form.validate()
    try:
        save_review(assignment, data)
        if submitting and valid:
            fire(assignment, "submit", current_user)
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        return problem(409, exc.message)
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise ConcurrentChange(CONCURRENT_MESSAGE) from None
    if not valid:
        return invalid(form)
    return detail_doc(load(assignment_id))
