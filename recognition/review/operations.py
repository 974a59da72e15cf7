"""Review operations: conflicts, assignment (by hand and automatic), scoring, submission.

Operations flush, never commit. State changes go through the workflow engine.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..accounts.models import User, UserRole
from ..extensions import db
from ..i18n import deadline
from ..nominations.models import Nomination
from ..timeutil import utcnow
from ..workflow.engine import ConditionNotMet, fire
from ..workflow.operations import operation
from .models import Assignment, Score

#: Assignment states that count towards a nomination's reviewers and a reviewer's load.
LIVE_STATES = ("invited", "accepted", "submitted", "reopened")


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
    names = [nomination.city.name]
    for key in ("nominator_name", "nominee_name"):
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
    reviewer: User, nomination: Nomination, declared_cities: set[int] | None = None
) -> list[Any]:
    """Known conflicts of interest between a reviewer and a nomination, as messages."""
    reasons: list[Any] = []
    if reviewer.country and reviewer.country == nomination.city.country:
        reasons.append(_l("from the same country as the city"))
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
        .where(Assignment.reviewer_id.in_(reviewer_ids), Assignment.state == "conflicted")
    )
    found: dict[int, set[int]] = defaultdict(set)
    for reviewer_id, city_id in rows:
        found[reviewer_id].add(city_id)
    return found


def reviewers() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole)
            .where(UserRole.role == "reviewer", User.active.is_(True))
            .order_by(User.name)
        )
    )


# -- assignment ------------------------------------------------------------------------------


def assign(nomination: Nomination, reviewer: User, actor: User) -> Assignment:
    """Invite a reviewer to a nomination; refuse a known conflict or a repeated invitation."""
    if "reviewer" not in reviewer.global_roles or not reviewer.active:
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
    assignment = Assignment(
        nomination=nomination, reviewer=reviewer, assigned_by_id=actor.id, state="invited"
    )
    db.session.add(assignment)
    db.session.flush()
    from ..notifications.operations import notify_assignment

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


def auto_assign(call, actor: User, states=("under_review", "shortlisted")) -> AutoAssignReport:
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
            .where(Nomination.call_id == call.id, Nomination.state.in_(states))
            .order_by(Nomination.id)
        )
    )
    existing = db.session.execute(
        sa.select(Assignment.nomination_id, Assignment.reviewer_id, Assignment.state)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.call_id == call.id)
    ).all()
    asked: dict[int, set[int]] = defaultdict(set)
    live: Counter[int] = Counter()
    load: Counter[int] = Counter()
    for nomination_id, reviewer_id, state in existing:
        asked[nomination_id].add(reviewer_id)
        if state in LIVE_STATES:
            live[nomination_id] += 1
            load[reviewer_id] += 1
    declared = declared_conflict_cities([r.id for r in pool])
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
            reasons = conflict_reasons(reviewer, nomination, declared.get(reviewer.id, set()))
            if reasons:
                report.skipped[nomination.id].append((reviewer, "; ".join(str(r) for r in reasons)))
                continue
            assignment = Assignment(
                nomination=nomination,
                reviewer=reviewer,
                assigned_by_id=actor.id,
                state="invited",
            )
            db.session.add(assignment)
            created.append(assignment)
            asked[nomination.id].add(reviewer.id)
            load[reviewer.id] += 1
            need -= 1
            report.assigned[nomination.id].append(reviewer)
        if need > 0:
            report.short[nomination.id] = need
    db.session.flush()
    from ..notifications.operations import notify_assignment

    for assignment in created:
        notify_assignment(assignment)
    return report


# -- scoring ---------------------------------------------------------------------------------


def ensure_review_open(assignment: Assignment, transition: str = "score") -> None:
    call = assignment.nomination.call
    if not call.review_open():
        if call.state not in ("open", "closed", "reviewing"):
            message = _l("Reviewing is closed for this call.")
        else:
            message = _l(
                "The review deadline passed on %(deadline)s.",
                deadline=deadline(call.review_deadline),
            )
        raise ConditionNotMet(message, transition)


def save_review(assignment: Assignment, data: dict[str, Any]) -> None:
    """Keep the reviewer's scores and comments as typed (a draft until submitted)."""
    ensure_review_open(assignment)
    rubric = assignment.nomination.programme.rubric
    for criterion in rubric.criteria:
        raw = data.get(f"score_{criterion.id}")
        value = int(raw) if raw not in (None, "") and str(raw).lstrip("-").isdigit() else None
        if value is not None and not criterion.min <= value <= criterion.max:
            value = None
        comment = (data.get(f"comment_{criterion.id}") or "").strip()
        score = assignment.score_for(criterion.id)
        if score is None:
            score = Score(criterion=criterion.id)
            assignment.scores.append(score)
        score.value = value
        score.comment = comment
    assignment.recommendation = data.get("recommendation") or ""
    assignment.comment_for_city = (data.get("comment_for_city") or "").strip()
    assignment.comment_confidential = (data.get("comment_confidential") or "").strip()
    db.session.flush()


@operation("review", "submit")
def submit_review(assignment, actor, comment=None, expected_version=None):
    ensure_review_open(assignment, "submit")
    assignment.submitted_at = utcnow()
    return fire(assignment, "submit", actor, comment, expected_version=expected_version)


@operation("review", "declare_conflict")
def declare_conflict(assignment, actor, comment=None, expected_version=None):
    """Record the reason with the conflict (the comment is required by review.yaml)."""
    assignment.conflict_reason = (comment or "").strip()
    return fire(assignment, "declare_conflict", actor, comment, expected_version=expected_version)


def other_reviews(assignment: Assignment) -> list[tuple[str, Assignment]]:
    """The other submitted reviews of the nomination, labelled "A", "B", ... never by name."""
    others = db.session.scalars(
        sa.select(Assignment)
        .where(
            Assignment.nomination_id == assignment.nomination_id,
            Assignment.state == "submitted",
        )
        .order_by(Assignment.id)
    ).all()
    labels = {}
    for index, other in enumerate(others):
        labels[other.id] = chr(ord("A") + index % 26)
    return [(labels[o.id], o) for o in others if o.id != assignment.id]
