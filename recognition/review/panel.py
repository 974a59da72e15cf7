"""What the nomination page shows about reviews, depending on who looks.

The secretariat sees the reviewers, their states, scores, confidential comments and the
aggregation; an assigned reviewer sees a link to their own review; those who see the whole
file (``view_file``: the city) read the reviewers' comments for the city once decided, never
who wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from babel.lists import format_list
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from ..accounts.models import User
from ..config import LANGUAGES
from ..extensions import db
from ..i18n import current_language, language_name
from ..nominations.models import Nomination
from ..panels import panel
from ..workflow.engine import embargoed
from ..workflow.history import WorkflowEvent
from ..workflow.registry import definition_for, has_tag, tagged
from ..workflow.security import can
from .forms import AssignForm
from .kept import nomination_result
from .models import Assignment
from .operations import (
    call_load,
    city_memberships,
    conflict_reasons,
    declared_conflict_cities,
    languages_read,
    nomination_organisations,
    reviewers,
)
from .rounds import assignments_of, last_scored_round, round_of


@dataclass(frozen=True)
class Candidate:
    """A reviewer not yet asked for the nomination, as the secretariat's picker shows them."""

    reviewer: User
    #: The languages they read, in the site's order.
    languages: tuple[str, ...]
    #: The same named as the reader's language lists them, the nomination's marked.
    languages_listed: Markup
    #: False when they declared none and their interface language stands in.
    declared: bool
    #: Whether they read the nomination's language (if not, they may still be invited).
    reads: bool
    #: Their live assignments in the nomination's call.
    load: int
    #: Known conflicts of interest: while there is one, they cannot be invited.
    reasons: tuple[Any, ...]


def picker(nomination: Nomination) -> dict[str, Any]:
    """The reviewer picker of a nomination: the reviewers not yet asked in the round
    invitations go to now (its own page: a call's hundreds of reviewers are not read on
    every visit to the nomination)."""
    current = round_of(nomination) or nomination.programme.rounds[0]
    asked = set(
        db.session.scalars(
            sa.select(Assignment.reviewer_id).where(
                Assignment.nomination_id == nomination.id, Assignment.round == current.id
            )
        )
    )
    offered = candidates(nomination, asked)
    return {
        "round": current,
        "rounds": len(nomination.programme.rounds) > 1,
        "candidates": offered,
        "invitable": any(not c.reasons for c in offered),
        "form": AssignForm(),
    }


def candidates(nomination: Nomination, asked: set[int]) -> list[Candidate]:
    """The reviewers not yet asked: first those who may be invited and read the
    nomination's language, the least loaded first; then those who do not read it; then those
    with a conflict. A bounded number of queries, however many reviewers there are."""
    pool = [r for r in reviewers() if r.id not in asked]
    ids = [r.id for r in pool]
    declared, members = declared_conflict_cities(ids), city_memberships(ids)
    load = call_load(nomination.call_id)
    organisations = nomination_organisations(nomination)
    found = []
    for reviewer in pool:
        read = tuple(code for code in LANGUAGES if code in languages_read(reviewer))
        reasons = conflict_reasons(
            reviewer,
            nomination,
            declared.get(reviewer.id, set()),
            members.get(reviewer.id, set()),
            organisations,
        )
        found.append(
            Candidate(
                reviewer=reviewer,
                languages=read,
                languages_listed=_listed(read, nomination.language),
                declared=bool(reviewer.languages),
                reads=nomination.language in read,
                load=load[reviewer.id],
                reasons=tuple(reasons),
            )
        )
    return sorted(
        found, key=lambda c: (bool(c.reasons), not c.reads, c.load, c.reviewer.name.casefold())
    )


@panel("nominations.show", "review/_nomination_panel.html", order=10)
def panel_context(nomination: Nomination) -> dict[str, Any]:
    context: dict[str, Any] = {"review_panel": None}
    assignments: list[Assignment] | None = None
    if can(current_user, "view_scores", nomination) or can(current_user, "assign", nomination):
        assignments = assignments_of(nomination)
        # The round whose scores are shown: the latest one reviewers were asked in.
        scored = last_scored_round(nomination)
        context["review_panel"] = {
            "assignments": assignments,
            "declined_comments": _declined_comments(assignments),
            "round": scored,
            "rounds": len(nomination.programme.rounds) > 1,
            "result": nomination_result(nomination, scored.id),
        }
    if assignments is not None:  # the reader's own among those read
        mine = (a for a in assignments if a.reviewer_id == current_user.id)
        context["my_assignment"] = next(mine, None)
    elif current_user.is_authenticated:
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


def _listed(codes: tuple[str, ...], marked: str) -> Markup:
    """Languages named in the reader's language and listed as it lists ("English and
    French", "الإنجليزية والفرنسية"), ``marked`` highlighted."""
    names = [
        Markup("<mark>{}</mark>").format(name) if code == marked else escape(name)
        for code, name in ((code, language_name(code, current_language())) for code in codes)
    ]
    return Markup(format_list([str(n) for n in names], locale=get_locale()))


def _declined_comments(assignments: list[Assignment]) -> dict[int, str]:
    """The comment each declined assignment was declined with, by assignment id (one query,
    none when no assignment is where declining leads)."""
    declined = definition_for(Assignment).transitions["decline"].dest
    if not any(a.state == declined for a in assignments):
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
