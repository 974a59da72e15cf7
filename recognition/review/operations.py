"""Review operations: conflicts, assignment (by hand and automatic), scoring, submission.

Operations flush, never commit. State changes go through the workflow engine.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..accounts.models import Membership, User, UserRole
from ..extensions import db
from ..i18n import deadline
from ..nominations.models import Nomination
from ..timeutil import utcnow
from ..workflow.engine import ConditionNotMet, create, operation
from ..workflow.registry import definition_for, has_tag, tagged
from ..workflow.security import can, roles_with_permission
from .mail import notify_assignment
from .models import Assignment, Score


class AssignmentRefused(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def missing_scores(assignment: Assignment) -> list[str]:
    """Criteria of the rubric without a score yet."""
    rubric = assignment.nomination.programme.rubric
    scored = {s.criterion for s in assignment.scores if s.value is not None}
    return [c.id for c in rubric.criteria if c.id not in scored]


# -- conflicts of interest ------------------------------------------------------------------


def _organisations(nomination: Nomination) -> list[str]:
    """Names in the nomination that a reviewer could be affiliated with."""
    answers = nomination.answers or {}
    names = [str(nomination.nominee_name())]
    if nomination.partner is not None:  # the partner that nominated on the nominee's behalf
        names.extend(v for v in nomination.partner.names.values() if v.strip())
    for key in ("nominator_name",):
        value = answers.get(key)
        if isinstance(value, str) and value.strip():
            names.append(value.strip())
    return names


def _affiliated(reviewer: User, names: list[str]) -> str | None:
    for affiliation in reviewer.affiliation_list:
        a = affiliation.casefold()
        for name in names:
            n = name.casefold()
            if len(a) >= 3 and len(n) >= 3 and (a in n or n in a):
                return name
    return None


def conflict_reasons(
    reviewer: User,
    nomination: Nomination,
    declared_cities: set[int] | None = None,
    member_cities: set[int] | None = None,
) -> list[Any]:
    """Known conflicts of interest between a reviewer and a nomination, as messages.

    ``declared_cities`` and ``member_cities`` (the cities the reviewer declared a conflict
    with, or acts for) are looked up when not given; pages listing many reviewers pass them,
    read for all reviewers at once.
    """
    reasons: list[Any] = []
    if reviewer.country and reviewer.country.upper() == (nomination.country or "").upper():
        reasons.append(_l("from the same country as the city"))
    if member_cities is None:
        member_cities = city_memberships([reviewer.id]).get(reviewer.id, set())
    if nomination.city_id in member_cities:
        reasons.append(_l("a member of the nominating city"))
    name = _affiliated(reviewer, _organisations(nomination))
    if name:
        reasons.append(_l("declared an affiliation with %(name)s", name=name))
    if declared_cities is None:
        declared_cities = declared_conflict_cities([reviewer.id]).get(reviewer.id, set())
    if nomination.city_id in declared_cities:
        reasons.append(_l("declared a conflict with this city before"))
    return reasons


def declared_conflict_cities(reviewer_ids: list[int]) -> dict[int, set[int]]:
    """For each reviewer, the cities they declared a conflict with (one query)."""
    rows = db.session.execute(
        sa.select(Assignment.reviewer_id, Nomination.city_id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Assignment.reviewer_id.in_(reviewer_ids), tagged(Assignment, "conflict"))
    )
    found: dict[int, set[int]] = defaultdict(set)
    for reviewer_id, city_id in rows:
        found[reviewer_id].add(city_id)
    return found


def city_memberships(user_ids: list[int]) -> dict[int, set[int]]:
    """For each user, the cities they act for as a focal point (one query)."""
    rows = db.session.execute(
        sa.select(Membership.user_id, Membership.city_id).where(Membership.user_id.in_(user_ids))
    )
    found: dict[int, set[int]] = defaultdict(set)
    for user_id, city_id in rows:
        found[user_id].add(city_id)
    return found


def reviewers() -> list[User]:
    """The active users whose global roles let them review (site.yaml's ``review``)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.active.is_(True),
                User.id.in_(
                    sa.select(UserRole.user_id).where(
                        UserRole.role.in_(roles_with_permission("review"))
                    )
                ),
            )
            .order_by(User.name)
        )
    )


# -- assignment ------------------------------------------------------------------------------


def assign(nomination: Nomination, reviewer: User, actor: User) -> Assignment:
    """Invite a reviewer to a nomination; refuse a known conflict or a repeated invitation."""
    if not reviewer.active or not can(reviewer, "review"):
        raise AssignmentRefused(_l("This person is not an active reviewer."))
    existing = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.nomination_id == nomination.id, Assignment.reviewer_id == reviewer.id
        )
    )
    if existing is not None:
        raise AssignmentRefused(_l("This reviewer was already asked for this nomination."))
    reasons = conflict_reasons(reviewer, nomination)
    if reasons:
        raise AssignmentRefused(
            _l(
                "Not assigned: the reviewer has a conflict of interest (%(reasons)s).",
                reasons="; ".join(str(r) for r in reasons),
            )
        )
    assignment = Assignment(nomination=nomination, reviewer=reviewer, assigned_by_id=actor.id)
    create(assignment, actor)
    notify_assignment(assignment)
    return assignment


@dataclass
class AutoAssignReport:
    assigned: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    skipped: dict[int, list[tuple[User, str]]] = field(default_factory=lambda: defaultdict(list))
    short: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.assigned.values())


def auto_assign(call, actor: User) -> AutoAssignReport:
    """Give every nomination of the call its N reviewers, balancing load, avoiding conflicts.

    Reviewers with the fewest live assignments in the call come first; a reviewer with a
    known conflict is never chosen, and the report says why each was skipped.
    """
    report = AutoAssignReport()
    pool = reviewers()
    if not pool:
        return report
    nominations = list(
        db.session.scalars(
            sa.select(Nomination)
            .where(Nomination.call_id == call.id, tagged(Nomination, "in_review"))
            .order_by(Nomination.id)
        )
    )
    existing = db.session.execute(
        sa.select(Assignment.nomination_id, Assignment.reviewer_id, tagged(Assignment, "live"))
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.call_id == call.id)
    ).all()
    asked: dict[int, set[int]] = defaultdict(set)
    live: Counter[int] = Counter()
    load: Counter[int] = Counter()
    for nomination_id, reviewer_id, is_live in existing:
        asked[nomination_id].add(reviewer_id)
        if is_live:
            live[nomination_id] += 1
            load[reviewer_id] += 1
    declared = declared_conflict_cities([r.id for r in pool])
    members = city_memberships([r.id for r in pool])
    wanted = call.reviewers_per_nomination
    created: list[Assignment] = []
    for nomination in nominations:
        need = wanted - live[nomination.id]
        if need <= 0:
            continue
        for reviewer in sorted(pool, key=lambda r: (load[r.id], r.id)):
            if need <= 0:
                break
            if reviewer.id in asked[nomination.id]:
                continue
            reasons = conflict_reasons(
                reviewer,
                nomination,
                declared.get(reviewer.id, set()),
                members.get(reviewer.id, set()),
            )
            if reasons:
                report.skipped[nomination.id].append((reviewer, "; ".join(str(r) for r in reasons)))
                continue
            assignment = Assignment(
                nomination=nomination, reviewer=reviewer, assigned_by_id=actor.id
            )
            create(assignment, actor)
            created.append(assignment)
            asked[nomination.id].add(reviewer.id)
            load[reviewer.id] += 1
            need -= 1
            report.assigned[nomination.id].append(reviewer)
        if need > 0:
            report.short[nomination.id] = need
    for assignment in created:
        notify_assignment(assignment)
    return report


# -- scoring ---------------------------------------------------------------------------------


def nomination_takes_scores(nomination: Nomination) -> bool:
    """Whether the nomination's state lets anyone score it (nomination.yaml decides).

    A nomination returned to its city, withdrawn or decided takes no more scores, even while
    the call's review window is still open.
    """
    state = definition_for(nomination).states[nomination.state]
    return bool(state.roles_with("score"))


def review_refusal(assignment: Assignment) -> Any:
    """Why the assignment's review cannot be changed now, or None if it can."""
    call = assignment.nomination.call
    if not call.review_open():
        if not has_tag(call, "reviewable"):
            return _l("Reviewing is closed for this call.")
        return _l(
            "The review deadline passed on %(deadline)s.",
            deadline=deadline(call.review_deadline),
        )
    if not nomination_takes_scores(assignment.nomination):
        return _l("This nomination is no longer under review.")
    return None


def ensure_review_open(assignment: Assignment, transition: str = "score") -> None:
    """Refuse a change to a review after the deadline, once reviewing is closed, or when the
    nomination is no longer under review."""
    refusal = review_refusal(assignment)
    if refusal is not None:
        raise ConditionNotMet(refusal, transition)


def _text(value: Any) -> str:
    """A comment as typed (the request drops control characters, see web.CleanRequest)."""
    return str(value or "").strip()


def save_review(assignment: Assignment, data: dict[str, Any]) -> None:
    """Keep the reviewer's scores and comments as typed (a draft until submitted).

    A score or recommendation that is not one of the form's choices is kept as none: only a
    crafted request sends one, and the form shows the error beside the field.
    """
    ensure_review_open(assignment)
    rubric = assignment.nomination.programme.rubric
    for criterion in rubric.criteria:
        raw = str(data.get(f"score_{criterion.id}") or "").strip()
        scale = {str(v): v for v in range(criterion.min, criterion.max + 1)}
        value = scale.get(raw)
        comment = _text(data.get(f"comment_{criterion.id}"))
        score = assignment.score_for(criterion.id)
        if score is None:
            score = Score(criterion=criterion.id)
            assignment.scores.append(score)
        score.value = value
        score.comment = comment
    recommendation = data.get("recommendation") or ""
    assignment.recommendation = (
        recommendation if recommendation in dict(rubric.recommendations) else ""
    )
    assignment.comment_for_city = _text(data.get("comment_for_city"))
    assignment.comment_confidential = _text(data.get("comment_confidential"))
    db.session.flush()


@operation("review", "submit")
def submit_review(assignment, actor, data):
    """Date the review: its scores count from now on."""
    assignment.submitted_at = utcnow()


@operation("review", "declare_conflict")
def declare_conflict(assignment, actor, data):
    """Keep the reason with the conflict (review.yaml requires the comment)."""
    assignment.conflict_reason = str(data.get("comment") or "").strip()


def other_reviews(assignment: Assignment) -> list[tuple[str, Assignment]]:
    """The other submitted reviews of the nomination, labelled "A", "B", ... never by name."""
    others = db.session.scalars(
        sa.select(Assignment)
        .where(
            Assignment.nomination_id == assignment.nomination_id,
            tagged(Assignment, "counted"),
        )
        .order_by(Assignment.id)
    ).all()
    labels = {}
    for index, other in enumerate(others):
        labels[other.id] = chr(ord("A") + index % 26)
    return [(labels[o.id], o) for o in others if o.id != assignment.id]
