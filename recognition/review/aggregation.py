"""Aggregate submitted scores: per nomination and criterion mean, median, spread, weighted
total, disagreement; per-reviewer normalised scores; Role Model City areas of strength.

Normalisation: for each reviewer and criterion, a score x becomes z = (x - m_r) / s_r, with
m_r and s_r the mean and population standard deviation of that reviewer's scores for the
criterion across the call (z = 0 when s_r = 0: a reviewer who gives one score to all
distinguishes nothing). z is rescaled to the criterion scale with the mean m and population
standard deviation s of all reviewers' scores for the criterion in the call: m + z * s,
clamped to the scale.

Everything is computed from one query over the call's submitted scores, so a ranking page
costs the same number of queries whatever the size of the call. Each review round
(programmes/*.yaml ``rounds``) is aggregated on its own: its scores, its criteria and
weights, its normalisation; one round's scores never enter another's results.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa

from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.definition import DEFAULT_ROUND, Programme, Rubric
from ..workflow.history import WorkflowEvent
from ..workflow.registry import definition_for, has_tag, tagged
from .models import Assignment, Score
from .rounds import assignments_of


class ScoreRow(NamedTuple):
    """One submitted score. A tuple, so that the hot loops below unpack it cheaply."""

    nomination_id: int
    reviewer_id: int
    criterion: str
    value: int


@dataclass
class CriterionResult:
    criterion: str
    values: list[float]
    normalised: list[float]
    mean: float | None = None
    median: float | None = None
    spread: float | None = None
    normalised_mean: float | None = None
    disagreement: bool = False


@dataclass
class NominationResult:
    nomination_id: int
    criteria: dict[str, CriterionResult] = field(default_factory=dict)
    weighted_total: float | None = None
    weighted_percent: float | None = None
    normalised_total: float | None = None
    reviews: int = 0
    strengths: list[int] = field(default_factory=list)
    qualifies: bool | None = None

    @property
    def disagreement(self) -> bool:
        return any(c.disagreement for c in self.criteria.values())


def _scores_stmt(call_id: int, round_id: str = DEFAULT_ROUND):
    return (
        sa.select(Assignment.nomination_id, Assignment.reviewer_id, Score.criterion, Score.value)
        .join(Score, Score.assignment_id == Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(
            Nomination.call_id == call_id,
            Assignment.round == round_id,
            tagged(Assignment, "counted"),
            Score.value.is_not(None),
        )
    )


def submitted_scores(
    call_id: int, nomination_ids: Iterable[int] | None = None, round_id: str = DEFAULT_ROUND
) -> list[ScoreRow]:
    """The round's submitted scores in the call, in assignment order (so "values" read
    reviewer by reviewer in the same order for every criterion)."""
    stmt = _scores_stmt(call_id, round_id).order_by(
        Assignment.nomination_id, Assignment.id, Score.criterion
    )
    if nomination_ids is not None:
        stmt = stmt.where(Assignment.nomination_id.in_(list(nomination_ids)))
    return [ScoreRow._make(row) for row in db.session.execute(stmt).tuples()]


@dataclass(frozen=True)
class Statistics:
    """Mean and population standard deviation per (reviewer, criterion) and per criterion."""

    reviewer: dict[tuple[int, str], tuple[float, float]]
    criterion: dict[str, tuple[float, float]]


def _moments(n: int, total: float, squares: float) -> tuple[float, float]:
    mean = total / n
    variance = max(0.0, squares / n - mean * mean)
    sd = math.sqrt(variance)
    return mean, (0.0 if sd < 1e-9 else sd)


def statistics_of(rows: Iterable[ScoreRow]) -> Statistics:
    """The statistics of the given score rows (the whole call's, for normalisation)."""
    sums_r: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    sums_c: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for _nomination_id, reviewer_id, criterion, value in rows:
        square = value * value
        acc = sums_r[(reviewer_id, criterion)]
        acc[0] += 1
        acc[1] += value
        acc[2] += square
        acc = sums_c[criterion]
        acc[0] += 1
        acc[1] += value
        acc[2] += square
    return Statistics(
        {k: _moments(*v) for k, v in sums_r.items()},
        {k: _moments(*v) for k, v in sums_c.items()},
    )


def call_statistics(
    call_id: int, reviewer_ids: Iterable[int] | None = None, round_id: str = DEFAULT_ROUND
) -> Statistics:
    """The same statistics computed by the database (two GROUP BY queries)."""
    base = _scores_stmt(call_id, round_id).subquery()
    sums = (sa.func.count(), sa.func.sum(base.c.value), sa.func.sum(base.c.value * base.c.value))
    per_reviewer = sa.select(base.c.reviewer_id, base.c.criterion, *sums).group_by(
        base.c.reviewer_id, base.c.criterion
    )
    if reviewer_ids is not None:
        per_reviewer = per_reviewer.where(base.c.reviewer_id.in_(list(reviewer_ids)))
    per_criterion = sa.select(base.c.criterion, *sums).group_by(base.c.criterion)
    return Statistics(
        {
            (rid, crit): _moments(n, float(s), float(ss))
            for rid, crit, n, s, ss in db.session.execute(per_reviewer)
        },
        {
            crit: _moments(n, float(s), float(ss))
            for crit, n, s, ss in db.session.execute(per_criterion)
        },
    )


def normaliser(rows_or_stats, programme: Programme):
    """Return f(row) -> the normalised score of a row, from the call's score statistics."""
    stats = rows_or_stats if isinstance(rows_or_stats, Statistics) else statistics_of(rows_or_stats)
    bounds = {c.id: (c.min, c.max) for c in programme.rubric.criteria}
    reviewer_stats, criterion_stats = stats.reviewer, stats.criterion

    def normalise(row: ScoreRow) -> float:
        _nomination_id, reviewer_id, criterion, value = row
        mean_r, sd_r = reviewer_stats[(reviewer_id, criterion)]
        z = 0.0 if sd_r == 0 else (value - mean_r) / sd_r
        mean_c, sd_c = criterion_stats[criterion]
        low, high = bounds.get(criterion, (float("-inf"), float("inf")))
        return min(high, max(low, mean_c + z * sd_c))

    return normalise


def aggregate(
    programme: Programme,
    rows: list[ScoreRow],
    threshold: float,
    all_rows: list[ScoreRow] | Statistics | None = None,
    rubric: Rubric | None = None,
) -> dict[int, NominationResult]:
    """Aggregate ``rows``; normalise against ``all_rows`` (the whole call, or its
    statistics) when given, else against ``rows`` themselves. ``rubric``: the round's
    criteria and weights (the programme's rubric by default)."""
    normalise = normaliser(all_rows if all_rows is not None else rows, programme)
    groups: dict[int, dict[str, tuple[list, list]]] = defaultdict(dict)
    reviewers: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        nomination_id, reviewer_id, criterion, value = row
        per_nomination = groups[nomination_id]
        pair = per_nomination.get(criterion)
        if pair is None:
            pair = per_nomination[criterion] = ([], [])
        pair[0].append(value)
        pair[1].append(normalise(row))
        reviewers[nomination_id].add(reviewer_id)
    rubric = rubric or programme.rubric
    best = sum(c.weight * c.max for c in rubric.criteria)
    results: dict[int, NominationResult] = {}
    chosen = {c.id for c in rubric.criteria}
    for nomination_id, per_nomination in groups.items():
        result = results[nomination_id] = NominationResult(nomination_id)
        result.reviews = len(reviewers[nomination_id])
        for criterion, (values, normalised) in per_nomination.items():
            if criterion not in chosen:
                continue
            spread = max(values) - min(values)
            result.criteria[criterion] = CriterionResult(
                criterion,
                values,
                normalised,
                mean=sum(values) / len(values),
                median=statistics.median(values),
                spread=spread,
                normalised_mean=sum(normalised) / len(normalised),
                disagreement=spread > threshold,
            )
        scored = [c for c in rubric.criteria if c.id in result.criteria]
        if len(scored) == len(rubric.criteria):
            result.weighted_total = sum(c.weight * result.criteria[c.id].mean for c in scored)
            result.weighted_percent = 100 * result.weighted_total / best if best else None
            result.normalised_total = sum(
                c.weight * result.criteria[c.id].normalised_mean for c in scored
            )
        if rubric.strength_threshold is not None:
            result.strengths = sorted(
                c.essential
                for c in rubric.criteria
                if c.essential
                and c.id in result.criteria
                and result.criteria[c.id].mean >= rubric.strength_threshold
            )
            if rubric.strength_minimum is not None:
                result.qualifies = len(result.strengths) >= rubric.strength_minimum
    return results


#: (database, call id, round) -> (fingerprint, results); a few at most.
_CALL_CACHE: dict[tuple[str, int, str], tuple[tuple, dict[int, NominationResult]]] = {}
_CALL_CACHE_SIZE = 8


def _fingerprint(call, round_id: str) -> tuple:
    """What the call's aggregation depends on, in two cheap queries: the last event of any
    of its reviews (every submission and reopening writes one, even when the scores it
    changed in place sum as before), the scores' sums, and the threshold."""
    base = _scores_stmt(call.id, round_id).add_columns(Score.id.label("score_id")).subquery()
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(base.c.value),
            sa.func.sum(base.c.value * base.c.score_id),
        )
    ).one()
    last_event = db.session.scalar(
        sa.select(sa.func.max(WorkflowEvent.id)).where(
            WorkflowEvent.object_type == definition_for(Assignment).applies_to,
            WorkflowEvent.object_id.in_(
                sa.select(Assignment.id)
                .join(Nomination, Nomination.id == Assignment.nomination_id)
                .where(Nomination.call_id == call.id)
            ),
        )
    )
    return (*row, last_event, call.disagreement_threshold)


def aggregate_call(call, round_id: str | None = None) -> dict[int, NominationResult]:
    """Aggregate every nomination of a call in one round (the first by default).

    Results are kept per process while the round's submitted scores stay the same, so that
    paging and sorting a large ranking does not recompute it (one cheap query checks).
    """
    round_ = call.programme.round(round_id)
    key = (str(db.engine.url), call.id, round_.id)
    fingerprint = _fingerprint(call, round_.id)
    cached = _CALL_CACHE.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    rows = submitted_scores(call.id, round_id=round_.id)
    results = aggregate(call.programme, rows, call.disagreement_threshold, rubric=round_.rubric)
    if len(_CALL_CACHE) >= _CALL_CACHE_SIZE:
        _CALL_CACHE.pop(next(iter(_CALL_CACHE)))
    _CALL_CACHE[key] = (fingerprint, results)
    return results


def aggregate_nomination(
    nomination: Nomination, round_id: str | None = None
) -> NominationResult | None:
    """Aggregate one nomination in one round (the first by default), normalised against the
    whole call's scores of that round.

    Reads the nomination's scores and the call's statistics from two GROUP BY queries, not
    every score of the call, so a nomination page stays fast in a large call.
    """
    call = nomination.call
    round_ = call.programme.round(round_id)
    rows = submitted_scores(call.id, [nomination.id], round_.id)
    if not rows:
        return None
    stats = call_statistics(call.id, {r.reviewer_id for r in rows}, round_.id)
    results = aggregate(
        call.programme, rows, call.disagreement_threshold, stats, rubric=round_.rubric
    )
    return results.get(nomination.id)


def reviews_complete(nomination: Nomination, round_id: str | None = None) -> bool:
    """At least one review in the round (the first by default), and every live assignment
    of the round (invited or engaged) has submitted."""
    round_ = nomination.programme.round(round_id)
    live = [a for a in assignments_of(nomination) if a.round == round_.id and has_tag(a, "live")]
    counted = sum(1 for a in live if has_tag(a, "counted"))
    return counted > 0 and counted == len(live)
