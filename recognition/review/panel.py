"""What the nomination page shows about reviews, depending on who looks.

The secretariat sees the reviewers, their states, scores, confidential comments and the
aggregation; an assigned reviewer sees a link to their own review; those who see the whole
file (``view_file``: the city) read the reviewers' comments for the city once decided, never
who wrote them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from ..extensions import db
from ..nominations.models import Nomination
from ..panels import panel
from ..workflow.engine import embargoed
from ..workflow.history import WorkflowEvent
from ..workflow.registry import has_tag, tagged
from ..workflow.security import can
from .aggregation import aggregate_nomination
from .forms import AssignForm
from .models import Assignment
from .operations import city_memberships, conflict_reasons, declared_conflict_cities, reviewers


@panel("nominations.show", "review/_nomination_panel.html", order=10)
def panel_context(nomination: Nomination) -> dict[str, Any]:
    context: dict[str, Any] = {"review_panel": None}
    if can(current_user, "view_scores", nomination) or can(current_user, "assign", nomination):
        assignments = list(
            db.session.scalars(
                sa.select(Assignment)
                .where(Assignment.nomination_id == nomination.id)
                .order_by(Assignment.id)
            )
        )
        choices = []
        if can(current_user, "assign", nomination):
            asked = {a.reviewer_id for a in assignments}
            pool = [r for r in reviewers() if r.id not in asked]
            declared = declared_conflict_cities([r.id for r in pool])
            members = city_memberships([r.id for r in pool])
            for reviewer in pool:
                reasons = conflict_reasons(
                    reviewer,
                    nomination,
                    declared.get(reviewer.id, set()),
                    members.get(reviewer.id, set()),
                )
                choices.append((reviewer, reasons))
        form = AssignForm()
        form.reviewer.choices = [(r.id, r.name) for r, reasons in choices if not reasons]
        context["review_panel"] = {
            "assignments": assignments,
            "declined_comments": _declined_comments(assignments),
            "result": aggregate_nomination(nomination),
            "choices": choices,
            "form": form,
        }
    if current_user.is_authenticated:
        context["my_assignment"] = db.session.scalar(
            sa.select(Assignment).where(
                Assignment.nomination_id == nomination.id,
                Assignment.reviewer_id == current_user.id,
            )
        )
    # Part of the whole file: never on an announced nomination's public projection, and not
    # before the outcome is announced (the decision's embargo).
    if (
        has_tag(nomination, "outcome")
        and can(current_user, "view_file", nomination)
        and not embargoed(current_user, nomination)
    ):
        context["comments_for_city"] = [
            a.comment_for_city
            for a in db.session.scalars(
                sa.select(Assignment)
                .where(Assignment.nomination_id == nomination.id, tagged(Assignment, "counted"))
                .order_by(Assignment.id)
            )
            if a.comment_for_city
        ]
    return context


def _declined_comments(assignments: list[Assignment]) -> dict[int, str]:
    """The comment each declined assignment was declined with, by assignment id (one query)."""
    if not assignments:
        return {}
    rows = db.session.execute(
        sa.select(WorkflowEvent.object_id, WorkflowEvent.comment)
        .where(
            WorkflowEvent.workflow == Assignment.__workflow__,
            WorkflowEvent.transition == "decline",
            WorkflowEvent.object_id.in_([a.id for a in assignments]),
        )
        .order_by(WorkflowEvent.id)
    )
    return {object_id: comment for object_id, comment in rows if comment}
