"""Review operations: conflicts, assignment (by hand and automatic), scoring, submission.

Operations flush, never commit. State changes go through the workflow engine.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..accounts.models import Membership, User, UserRole
from ..extensions import db
from ..i18n import deadline
from ..i18n import lazy_gettext as _l
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..timeutil import utcnow
from ..workflow.chain import review_digest
from ..workflow.engine import ConditionNotMet, create, operation
from ..workflow.registry import definition_for, has_tag, tagged
from ..workflow.security import can, global_roles, roles_with_permission
from .kept import reviewer_loads
from .mail import notify_assignment
from .models import Assignment, CallRound, Score
from .rounds import jurors, review_deadline, round_of


class AssignmentRefused(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def missing_scores(assignment: Assignment) -> list[str]:
    """Criteria of the assignment's round without a score yet."""
    rubric = assignment.nomination.programme.round(assignment.round).rubric
    scored = {s.criterion for s in assignment.scores if s.value is not None}
    return [c.id for c in rubric.criteria if c.id not in scored]


# -- conflicts of interest ------------------------------------------------------------------


def nomination_organisations(nomination: Nomination) -> list[str]:
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
    organisations: list[str] | None = None,
) -> list[Any]:
    """Known conflicts of interest between a reviewer and a nomination, as messages.

    ``declared_cities`` and ``member_cities`` (the cities the reviewer declared a conflict
    with, or acts for) are looked up when not given; pages listing many reviewers pass them,
    read for all reviewers at once, and the nomination's ``organisations`` once.
    """
    reasons: list[Any] = []
    if reviewer.country and reviewer.country.upper() == (nomination.country or "").upper():
        reasons.append(_l("from the same country as the city"))
    if member_cities is None:
        member_cities = city_memberships([reviewer.id]).get(reviewer.id, set())
    if nomination.city_id in member_cities:
        reasons.append(_l("a member of the nominating city"))
    if organisations is None:
        organisations = nomination_organisations(nomination)
    name = _affiliated(reviewer, organisations)
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
    """Invite a reviewer to a nomination in its current round; refuse a known conflict or a
    repeated invitation."""
    if not reviewer.active or not can(reviewer, "review"):
        raise AssignmentRefused(_l("This person is not an active reviewer."))
    round_ = round_of(nomination) or nomination.programme.rounds[0]
    existing = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.nomination_id == nomination.id,
            Assignment.reviewer_id == reviewer.id,
            Assignment.round == round_.id,
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
        nomination=nomination, reviewer=reviewer, assigned_by_id=actor.id, round=round_.id
    )
    create(assignment, actor)
    notify_assignment(assignment)
    return assignment


def languages_read(user: User) -> frozenset[str]:
    """The languages a user reads: those they declared, else their interface language.

    Someone who never said which languages they read (everyone before the question was
    asked) is taken to read the language they chose to use the site in, ``User.locale``:
    they keep being assigned nominations in it, and never in a language they did not choose.
    """
    return frozenset(user.languages or ()) or frozenset({user.locale})


def call_load(call_id: int) -> Counter[int]:
    """Each reviewer's live assignments in a call (the kept loads: one indexed query)."""
    return Counter({rid: live for rid, (live, _counted) in reviewer_loads(call_id).items()})


@dataclass
class AutoAssignReport:
    assigned: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    skipped: dict[int, list[tuple[User, str]]] = field(default_factory=lambda: defaultdict(list))
    #: Reviewers still missing per nomination, whatever the cause.
    short: dict[int, int] = field(default_factory=dict)
    #: Of those, how many because too few reviewers read the nomination's language.
    short_language: dict[int, int] = field(default_factory=dict)
    #: Per language too few reviewers read: (invitations missing, reviewers who read it).
    languages: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.assigned.values())


def auto_assign(call, actor: User, round_id: str | None = None) -> AutoAssignReport:
    """Give every nomination in a review round of the call (the first by default) its N
    reviewers who read its language, balancing load, avoiding conflicts. N is the round's
    number (else the call's); a round whose panel is a jury asks every juror.

    Nominations whose language the fewest reviewers read are served first, each by the
    reviewers with the fewest live assignments in the call; then invitations move from the
    busiest reviewers to the least busy who may take them (see _balance). A reviewer with a
    known conflict is never chosen, and the report says why each was skipped; nobody is given
    a language they do not read: the report says how many are missing and for which language.
    """
    report = AutoAssignReport()
    round_ = call.programme.round(round_id)
    if round_.panel == "jury":
        named = {u.id for u in jurors(call.id, round_.id)}
        pool = [r for r in reviewers() if r.id in named]
    else:
        pool = reviewers()
    if not pool:
        return report
    in_round = (
        Nomination.state.in_(round_.states) if round_.states else tagged(Nomination, "in_review")
    )
    nominations = list(
        db.session.scalars(
            sa.select(Nomination)
            .where(Nomination.call_id == call.id, in_round)
            .order_by(Nomination.id)
        )
    )
    existing = db.session.execute(
        sa.select(
            Assignment.nomination_id,
            Assignment.reviewer_id,
            tagged(Assignment, "live"),
            Assignment.round == round_.id,
        )
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.call_id == call.id)
    ).all()
    asked: dict[int, set[int]] = defaultdict(set)
    live: Counter[int] = Counter()
    # The load counts every round of the call: a reviewer busy in one is spared in another.
    load: Counter[int] = Counter()
    for nomination_id, reviewer_id, is_live, this_round in existing:
        if this_round:
            asked[nomination_id].add(reviewer_id)
        if is_live:
            load[reviewer_id] += 1
            if this_round:
                live[nomination_id] += 1
    declared = declared_conflict_cities([r.id for r in pool])
    members = city_memberships([r.id for r in pool])
    readers: dict[str, list[User]] = defaultdict(list)
    for reviewer in pool:
        for language in languages_read(reviewer):
            readers[language].append(reviewer)
    if round_.panel == "jury":
        wanted = len(pool)
    else:
        wanted = round_.reviewers or call.reviewers_per_nomination
    plan: dict[int, list[User]] = {}
    eligible: dict[int, list[User]] = {}
    for nomination in sorted(nominations, key=lambda n: (len(readers[n.language]), n.id)):
        need = wanted - live[nomination.id]
        if need <= 0:
            continue
        candidates = [r for r in readers[nomination.language] if r.id not in asked[nomination.id]]
        fit = eligible[nomination.id] = []
        for reviewer in candidates:
            reasons = conflict_reasons(
                reviewer,
                nomination,
                declared.get(reviewer.id, set()),
                members.get(reviewer.id, set()),
            )
            if reasons:
                report.skipped[nomination.id].append((reviewer, "; ".join(str(r) for r in reasons)))
            else:
                fit.append(reviewer)
        chosen = plan[nomination.id] = sorted(fit, key=lambda r: (load[r.id], r.id))[:need]
        load.update(r.id for r in chosen)
        if missing := need - len(chosen):
            report.short[nomination.id] = missing
            # Missing even had nobody a conflict: the language is the cause.
            if (unread := min(missing, need - len(candidates))) > 0:
                language = nomination.language
                report.short_language[nomination.id] = unread
                gap = report.languages.get(language, (0, 0))[0]
                report.languages[language] = (gap + unread, len(readers[language]))
    _balance(plan, eligible, load)
    created: list[Assignment] = []
    for nomination in nominations:
        for reviewer in sorted(plan.get(nomination.id, ()), key=lambda r: r.id):
            assignment = Assignment(
                nomination=nomination, reviewer=reviewer, assigned_by_id=actor.id, round=round_.id
            )
            create(assignment, actor)
            created.append(assignment)
            report.assigned[nomination.id].append(reviewer)
    for assignment in created:
        notify_assignment(assignment)
    return report


def _balance(
    plan: dict[int, list[User]], eligible: dict[int, list[User]], load: Counter[int]
) -> None:
    """Move planned invitations until no reviewer has two more than another could have.

    A move follows a chain: the busiest reviewer gives up a nomination to someone eligible
    for it, who gives up another to someone else ... down to a reviewer with at least two
    fewer. When no such chain is left, no plan that fills as many invitations spreads the
    load more evenly (the optimality condition of a convex-cost flow); greedy alone can leave
    a spread of several where a spread of one is possible. Only this run's invitations move.
    """
    held: dict[int, set[int]] = defaultdict(set)  # reviewer id -> nominations planned
    for nomination_id, chosen in plan.items():
        for reviewer in chosen:
            held[reviewer.id].add(nomination_id)
    able = {r.id for fit in eligible.values() for r in fit}
    while True:
        floor = min((load[r] for r in able), default=0)
        path = _improving_chain(plan, eligible, load, held, floor)
        if path is None:
            return
        for giver, nomination_id, taker in path:
            plan[nomination_id] = [r for r in plan[nomination_id] if r.id != giver] + [taker]
            held[giver].discard(nomination_id)
            held[taker.id].add(nomination_id)
        load[path[0][0]] -= 1
        load[path[-1][2].id] += 1


def _improving_chain(plan, eligible, load, held, floor) -> list[tuple[int, int, User]] | None:
    """A chain of moves (giver id, nomination id, taker) from a reviewer with some load to
    one with at least two fewer, the least loaded that can be reached (the search stops at
    ``floor``, the lowest load there is); the busiest first."""
    for top in sorted({load[r] for r in held if held[r]}, reverse=True):
        if top - 2 < floor:
            break
        sources = sorted(r for r in held if held[r] and load[r] == top)
        came_from: dict[int, tuple[int, int, User] | None] = dict.fromkeys(sources)
        queue, best = list(sources), None
        for giver in queue:  # breadth first: the list grows as it is read
            for nomination_id in sorted(held[giver]):
                on = {r.id for r in plan[nomination_id]}
                for taker in eligible[nomination_id]:
                    if taker.id in on or taker.id in came_from:
                        continue
                    came_from[taker.id] = (giver, nomination_id, taker)
                    queue.append(taker.id)
                    if load[taker.id] <= top - 2 and (
                        best is None or (load[taker.id], taker.id) < (load[best], best)
                    ):
                        best = taker.id
                if best is not None and load[best] == floor:
                    break
            if best is not None and load[best] == floor:
                break
        if best is not None:
            path, step = [], came_from[best]
            while step is not None:
                path.append(step)
                step = came_from[step[0]]
            return path[::-1]
    return None


# -- scoring ---------------------------------------------------------------------------------


def nomination_takes_scores(nomination: Nomination) -> bool:
    """Whether the nomination's state lets anyone score it (nomination.yaml decides).

    A nomination returned to its city, withdrawn or decided takes no more scores, even while
    the call's review window is still open.
    """
    state = definition_for(nomination).states[nomination.state]
    return bool(state.roles_with("score"))


def review_refusal(assignment: Assignment) -> Any:
    """Why the assignment's review cannot be changed now, or None if it can: reviewing
    closed, the round's deadline passed, the nomination no longer under review or gone on
    to a later round."""
    nomination = assignment.nomination
    call = nomination.call
    if not has_tag(call, "reviewable"):
        return _l("Reviewing is closed for this call.")
    due = review_deadline(call, assignment.round)
    if utcnow() > due:
        return _l("The review deadline passed on %(deadline)s.", deadline=deadline(due))
    if not nomination_takes_scores(nomination):
        return _l("This nomination is no longer under review.")
    current = round_of(nomination)
    if current is not None and current.id != assignment.round:
        return _l(
            "The nomination has gone on to the round “%(round)s”: reviews of an earlier "
            "round are closed.",
            round=_l(current.title),
        )
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
    rubric = assignment.nomination.programme.round(assignment.round).rubric
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
    """Date the review: its scores count from now on. The history row keeps the scores and
    the fingerprint of the whole review (scores, comments, recommendation) as submitted."""
    assignment.submitted_at = utcnow()
    return {
        "scores": {s.criterion: s.value for s in assignment.scores},
        "review": review_digest(
            [(s.criterion, s.value, s.comment) for s in assignment.scores],
            assignment.recommendation,
            assignment.comment_for_city,
            assignment.comment_confidential,
        ),
    }


@operation("review", "declare_conflict")
def declare_conflict(assignment, actor, data):
    """Keep the reason with the conflict (review.yaml requires the comment)."""
    assignment.conflict_reason = str(data.get("comment") or "").strip()


def other_reviews(assignment: Assignment) -> list[tuple[str, Assignment]]:
    """The other submitted reviews of the nomination in the same round, labelled "A", "B",
    ... never by name."""
    others = db.session.scalars(
        sa.select(Assignment)
        .where(
            Assignment.nomination_id == assignment.nomination_id,
            Assignment.round == assignment.round,
            tagged(Assignment, "counted"),
        )
        .order_by(Assignment.id)
    ).all()
    labels = {}
    for index, other in enumerate(others):
        labels[other.id] = chr(ord("A") + index % 26)
    return [(labels[o.id], o) for o in others if o.id != assignment.id]


def own_worklists() -> dict[str, Any]:
    """review.yaml's worklists of one's own assignments (a local role's, not a global one's),
    by id: "My reviews" and the API's list of assignments."""
    return {
        wl.id: wl
        for wl in definition_for(Assignment).worklists.values()
        if global_roles().isdisjoint(wl.roles)
    }


def own_assignments(user_id: int):
    """A reviewer's assignments with each one's deadline (its round's in the call when set,
    else the call's), by deadline: rows of (assignment, deadline)."""
    due = sa.func.coalesce(CallRound.review_deadline, Call.review_deadline)
    return (
        sa.select(Assignment, due)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .join(Call, Call.id == Nomination.call_id)
        .outerjoin(
            CallRound,
            sa.and_(CallRound.call_id == Call.id, CallRound.round == Assignment.round),
        )
        .where(Assignment.reviewer_id == user_id)
        .order_by(due, Assignment.id)
        .options(
            # The nomination and its call from the joins above (a join fewer each to plan).
            sa.orm.contains_eager(Assignment.nomination).contains_eager(Nomination.call),
            # The list shows neither who reviews (it is the reader) nor their roles.
            sa.orm.lazyload(Assignment.reviewer),
        )
    )
