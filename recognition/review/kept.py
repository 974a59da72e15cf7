"""Score aggregates kept as reviews are counted, not recomputed on every page.

When a review enters or leaves the ``counted`` tag (submitted, reopened, withdrawn…), the
engine's signal lands here, in the same transaction:

- the round's normalisation moments (count, sum, sum of squares per reviewer and criterion,
  and per criterion) move by the review's scores, with atomic increments;
- the nomination's kept aggregate in the round (``NominationScores``: reviews, totals, the
  criteria's means, disagreement, strengths) is recomputed from its own scores;
- the round's generation moves on: every other nomination's normalised total depends on the
  call's moments, so the kept normalised totals are brought up to date (one pass over the
  round) only when a ranking is sorted by them.

The round's row in ``kept_rounds`` is locked first, so that concurrent submissions in one
round take their turns and never lose an increment nor read each other's half. A round with
no kept row yet (a database from before, a bulk load) is built from its scores on first use.

``aggregation.aggregate`` stays the reference: a nomination's displayed result is computed by
it from the nomination's own scores and the kept moments (two indexed queries), and the tests
compare the kept rows with it over whole calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.definition import Round
from ..programmes.models import Call
from ..workflow.engine import object_created, transition_fired
from ..workflow.registry import definition_for, has_tag, states_tagged, tagged
from ..workflow.worklists import kept_read
from .aggregation import (
    NominationResult,
    ScoreRow,
    Statistics,
    _moments,
    _scores_stmt,
    aggregate,
    call_statistics,
    submitted_scores,
)
from .models import (
    Assignment,
    KeptLoads,
    KeptRound,
    NominationScores,
    ReviewerLoad,
    Score,
    ScoreMoment,
)
from .rounds import assignments_of

#: reviewer_id of the moments of every reviewer together (the criterion's).
EVERYONE = 0


def _upsert(model: type) -> Any:
    """An INSERT … ON CONFLICT for the database in use (PostgreSQL or SQLite)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


# -- building --------------------------------------------------------------------------------


def build(call: Call, round_id: str) -> None:
    """Compute the round's kept aggregates from its scores (replacing any), and mark the
    round kept. Bulk loads call it; so does the first use of a round never kept."""
    round_ = call.programme.round(round_id)
    for model in (ScoreMoment, NominationScores):
        db.session.execute(
            sa.delete(model).where(model.call_id == call.id, model.round == round_.id)
        )
    base = _scores_stmt(call.id, round_.id).subquery()
    sums = (sa.func.count(), sa.func.sum(base.c.value), sa.func.sum(base.c.value * base.c.value))
    per_reviewer = sa.select(
        sa.literal(call.id),
        sa.literal(round_.id),
        base.c.reviewer_id,
        base.c.criterion,
        *sums,
    ).group_by(base.c.reviewer_id, base.c.criterion)
    per_criterion = sa.select(
        sa.literal(call.id),
        sa.literal(round_.id),
        sa.literal(EVERYONE),
        base.c.criterion,
        *sums,
    ).group_by(base.c.criterion)
    columns = ["call_id", "round", "reviewer_id", "criterion", "n", "total", "squares"]
    for select in (per_reviewer, per_criterion):
        db.session.execute(sa.insert(ScoreMoment).from_select(columns, select))
    rows = submitted_scores(call.id, round_id=round_.id)
    results = aggregate(call.programme, rows, call.disagreement_threshold, rubric=round_.rubric)
    values = [_row(call, round_.id, result) for result in results.values()]
    for start in range(0, len(values), 2000):
        db.session.execute(sa.insert(NominationScores), values[start : start + 2000])
    kept = db.session.get(KeptRound, (call.id, round_.id))
    if kept is None:
        db.session.add(
            KeptRound(call_id=call.id, round=round_.id, generation=0, normalised_generation=0)
        )
    else:
        kept.normalised_generation = kept.generation
    db.session.flush()
    _forget()


def build_call(call: Call) -> None:
    """Build the kept aggregates of every round of the call."""
    for round_ in call.programme.rounds:
        build(call, round_.id)


def call_with_kept(call_id: int) -> Call | None:
    """The call, read with its kept rows (rounds and loads) in one statement, so that the
    ``ensure_*`` checks that follow find them in the session instead of asking again."""
    rows = db.session.execute(
        sa.select(Call, KeptLoads, KeptRound)
        .outerjoin(KeptLoads, KeptLoads.call_id == Call.id)
        .outerjoin(KeptRound, KeptRound.call_id == Call.id)
        .where(Call.id == call_id)
    ).all()
    _hold(rows)
    return rows[0][0] if rows else None


def _hold(found: Any) -> Any:
    """Keep ``found`` for the request: the session holds what it loaded only weakly, and a
    kept row checked once is looked up again by the page's next ``ensure_*``."""
    if has_app_context() and found is not None:
        g.setdefault("kept_loaded", []).append(found)
    return found


def ensure_kept(call: Call, round_id: str, *, commit: bool = False) -> bool:
    """Build the round's kept aggregates if they never were; True if this call built them.

    ``commit``: commit the build (a page that only reads); a transition builds within its
    own transaction. Two first uses at once: one builds, the other finds it built.
    """
    if _hold(db.session.get(KeptRound, (call.id, round_id))) is not None:
        return False
    try:
        with db.session.begin_nested():
            build(call, round_id)
    except sa.exc.IntegrityError:  # built by another at the same moment
        return False
    if commit:
        db.session.commit()
    return True


def round_generation(call: Call, round_id: str, *, fresh: bool = False) -> int:
    """The round's kept generation (built on first use and committed). ``fresh``: read
    again from the database, where another process may have moved it on."""
    ensure_kept(call, round_id, commit=True)
    return db.session.get(KeptRound, (call.id, round_id), populate_existing=fresh).generation


def _row(call: Call, round_id: str, result: NominationResult) -> dict[str, Any]:
    return {
        "nomination_id": result.nomination_id,
        "round": round_id,
        "call_id": call.id,
        "reviews": result.reviews,
        "weighted_total": result.weighted_total,
        "normalised_total": result.normalised_total,
        "disagreement": result.disagreement,
        "qualifies": result.qualifies,
        "means": {k: c.mean for k, c in result.criteria.items()},
        "strengths": result.strengths,
    }


# -- keeping -----------------------------------------------------------------------------------


def _increment(model: type, keys: dict[str, Any], deltas: dict[str, int]) -> None:
    """Add ``deltas`` to the row ``keys`` names, or create it with them: one atomic
    statement, so that concurrent increments never lose one another."""
    stmt = _upsert(model).values(**keys, **deltas)
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: getattr(model, name) + delta for name, delta in deltas.items()},
        )
    )


def _move_moments(call_id: int, round_id: str, reviewer_id: int, scores, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) a review's scores from the round's moments, the
    criterion's first and then the reviewer's, each in criterion order (one lock order)."""
    values = sorted((s.criterion, s.value) for s in scores if s.value is not None)
    for who in (EVERYONE, reviewer_id):
        for criterion, value in values:
            _increment(
                ScoreMoment,
                {"call_id": call_id, "round": round_id, "reviewer_id": who, "criterion": criterion},
                {"n": sign, "total": sign * value, "squares": sign * value * value},
            )


def refresh_nomination(call: Call, round_id: str, nomination_id: int) -> None:
    """Recompute one nomination's kept aggregate in the round from its scores."""
    result = compute(call, round_id, [nomination_id]).get(nomination_id)
    row = _row(call, round_id, result or NominationResult(nomination_id))
    stmt = _upsert(NominationScores).values(**row)
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["nomination_id", "round"],
            set_={k: v for k, v in row.items() if k not in ("nomination_id", "round")},
        )
    )


def _on_transition(obj, *, definition, transition, event, actor, **_extra) -> None:
    if definition.id != definition_for(Assignment).id:
        return
    counted = states_tagged(Assignment, "counted")
    was, now = event.from_state in counted, event.to_state in counted
    if was == now:
        return
    assignment: Assignment = obj
    nomination = assignment.nomination
    call = nomination.call
    round_id = assignment.round
    # The round's row first: one round's submissions take their turns from here to commit.
    updated = db.session.execute(
        sa.update(KeptRound)
        .where(KeptRound.call_id == call.id, KeptRound.round == round_id)
        .values(generation=KeptRound.generation + 1)
    ).rowcount
    if not updated:
        if ensure_kept(call, round_id):
            return  # built from the scores, this review included
        # Built by another meanwhile, from what it saw then: count this review on top.
        db.session.execute(
            sa.update(KeptRound)
            .where(KeptRound.call_id == call.id, KeptRound.round == round_id)
            .values(generation=KeptRound.generation + 1)
        )
    scores = db.session.scalars(sa.select(Score).where(Score.assignment_id == assignment.id))
    _move_moments(call.id, round_id, assignment.reviewer_id, scores, 1 if now else -1)
    refresh_nomination(call, round_id, nomination.id)
    _forget()


def connect() -> None:
    transition_fired.connect(_on_transition, weak=False)
    transition_fired.connect(_on_review_moved, weak=False)
    object_created.connect(_on_review_created, weak=False)


# -- reviewers' loads --------------------------------------------------------------------------


def build_loads(call_id: int) -> None:
    """Count each reviewer's live and counted assignments in the call (replacing any), and
    mark the call's loads kept."""
    db.session.execute(sa.delete(ReviewerLoad).where(ReviewerLoad.call_id == call_id))
    db.session.execute(
        sa.insert(ReviewerLoad).from_select(
            ["call_id", "reviewer_id", "live", "counted"],
            sa.select(
                sa.literal(call_id),
                Assignment.reviewer_id,
                sa.func.count().filter(tagged(Assignment, "live")),
                sa.func.count().filter(tagged(Assignment, "counted")),
            )
            .join(Nomination, Nomination.id == Assignment.nomination_id)
            .where(Nomination.call_id == call_id)
            .group_by(Assignment.reviewer_id),
        )
    )
    if db.session.get(KeptLoads, call_id) is None:
        db.session.add(KeptLoads(call_id=call_id))
    db.session.flush()


def ensure_loads(call_id: int, *, commit: bool = False) -> bool:
    """Build the call's reviewer loads if they never were; True if this call built them."""
    if _hold(db.session.get(KeptLoads, call_id)) is not None:
        return False
    try:
        with db.session.begin_nested():
            build_loads(call_id)
    except sa.exc.IntegrityError:  # built by another at the same moment
        return False
    if commit:
        db.session.commit()
    return True


def _move_load(assignment: Assignment, live: int, counted: int) -> None:
    call_id = assignment.nomination.call_id
    if db.session.get(KeptLoads, call_id) is None and ensure_loads(call_id):
        return  # built from the assignments, this one as it is now included
    _increment(
        ReviewerLoad,
        {"call_id": call_id, "reviewer_id": assignment.reviewer_id},
        {"live": live, "counted": counted},
    )


def _on_review_created(obj, *, definition, event, actor, **_extra) -> None:
    if definition.id == definition_for(Assignment).id:
        state = event.to_state
        _move_load(obj, int(_in(state, "live")), int(_in(state, "counted")))


def _on_review_moved(obj, *, definition, transition, event, actor, **_extra) -> None:
    if definition.id != definition_for(Assignment).id:
        return
    before, after = event.from_state, event.to_state
    live = _in(after, "live") - _in(before, "live")
    counted = _in(after, "counted") - _in(before, "counted")
    if live or counted:
        _move_load(obj, live, counted)


def _in(state: str, tag: str) -> int:
    return int(state in states_tagged(Assignment, tag))


def reviewer_loads(call_id: int) -> dict[int, tuple[int, int]]:
    """reviewer id -> (live, counted) assignments in the call, from the kept loads."""
    ensure_loads(call_id)
    return {
        reviewer_id: (live, counted)
        for reviewer_id, live, counted in db.session.execute(
            sa.select(ReviewerLoad.reviewer_id, ReviewerLoad.live, ReviewerLoad.counted).where(
                ReviewerLoad.call_id == call_id
            )
        )
    }


# -- reading -----------------------------------------------------------------------------------


def kept_statistics(call_id: int, round_id: str, reviewer_ids: Iterable[int]) -> Statistics:
    """The normalisation statistics the given reviewers' scores need, from the kept moments
    (one indexed query, whatever the size of the call)."""
    reviewer: dict[tuple[int, str], tuple[float, float]] = {}
    criterion: dict[str, tuple[float, float]] = {}
    rows = db.session.execute(
        sa.select(
            ScoreMoment.reviewer_id,
            ScoreMoment.criterion,
            ScoreMoment.n,
            ScoreMoment.total,
            ScoreMoment.squares,
        ).where(
            ScoreMoment.call_id == call_id,
            ScoreMoment.round == round_id,
            ScoreMoment.reviewer_id.in_([EVERYONE, *reviewer_ids]),
            ScoreMoment.n > 0,
        )
    )
    for who, crit, n, total, squares in rows:
        moments = _moments(n, float(total), float(squares))
        if who == EVERYONE:
            criterion[crit] = moments
        else:
            reviewer[(who, crit)] = moments
    return Statistics(reviewer, criterion)


def compute(call: Call, round_id: str, nomination_ids: list[int]) -> dict[int, NominationResult]:
    """The given nominations' results in the round, normalised against the whole call:
    their scores and the kept moments of their reviewers (two indexed queries)."""
    round_ = call.programme.round(round_id)
    if not nomination_ids:
        return {}
    return _results(call, round_, submitted_scores(call.id, nomination_ids, round_.id))


def _results(call: Call, round_: Round, rows: list[ScoreRow]) -> dict[int, NominationResult]:
    if not rows:
        return {}
    reviewer_ids = {r.reviewer_id for r in rows}
    stats = kept_statistics(call.id, round_.id, reviewer_ids)
    if not stats.criterion:  # a round never kept (a database from before): the call's scores
        stats = call_statistics(call.id, reviewer_ids, round_.id)
    return aggregate(call.programme, rows, call.disagreement_threshold, stats, rubric=round_.rubric)


def _memo() -> dict:
    if not has_app_context():
        return {}
    if "kept_results" not in g:
        g.kept_results = {}
    return g.kept_results


def _forget() -> None:
    if has_app_context():
        g.pop("kept_results", None)


def results_for(
    call: Call, round_id: str, nomination_ids: list[int]
) -> dict[int, NominationResult]:
    """``compute``, remembered for the request (a page's panels ask for the same result)
    and kept by the worker while nothing is written (``kept_read``)."""
    memo = _memo()
    key = ("round results", call.id, round_id, tuple(sorted(nomination_ids)))
    if key not in memo:
        memo[key] = kept_read(key, lambda: compute(call, round_id, nomination_ids), large=True)
    return memo[key]


def nomination_result(nomination: Nomination, round_id: str) -> NominationResult | None:
    """One nomination's result in the round (the first by default): its scores as its
    assignments were read for the request, and the kept moments of their reviewers."""
    call = nomination.call
    round_ = call.programme.round(round_id)
    memo = _memo()
    key = (call.id, round_.id, (nomination.id,))
    if key not in memo:
        rows = [
            ScoreRow(nomination.id, a.reviewer_id, s.criterion, s.value)
            for a in assignments_of(nomination)
            if a.round == round_.id and has_tag(a, "counted")
            for s in sorted(a.scores, key=lambda s: s.criterion)
            if s.value is not None
        ]
        memo[key] = _results(call, round_, rows)
    return memo[key].get(nomination.id)


def bring_normalised_up_to_date(call: Call, round_id: str) -> None:
    """Recompute the round's kept normalised totals if reviews were counted since they were
    last computed: one pass over the round's scores, only when a ranking sorts by them."""
    ensure_kept(call, round_id, commit=True)
    kept = db.session.get(KeptRound, (call.id, round_id))
    if kept.normalised_generation == kept.generation:
        return
    round_ = call.programme.round(round_id)
    generation = kept.generation
    rows = submitted_scores(call.id, round_id=round_.id)
    results = aggregate(call.programme, rows, call.disagreement_threshold, rubric=round_.rubric)
    db.session.execute(
        sa.update(NominationScores),
        [
            {"nomination_id": i, "round": round_.id, "normalised_total": r.normalised_total}
            for i, r in results.items()
        ],
    )
    db.session.execute(
        sa.update(KeptRound)
        .where(KeptRound.call_id == call.id, KeptRound.round == round_.id)
        .values(normalised_generation=generation)
    )
    db.session.commit()
