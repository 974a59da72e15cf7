"""Aggregate submitted scores: per nomination and criterion mean, median, spread, weighted
total, disagreement; per-reviewer normalised scores; Role Model City areas of strength.

Normalisation: for each reviewer and criterion, a score x becomes z = (x - m_r) / s_r, with
m_r and s_r the mean and population standard deviation of that reviewer's scores for the
criterion across the call (z = 0 when s_r = 0: a reviewer who gives one score to all
distinguishes nothing). z is rescaled to the criterion scale with the mean m and population
standard deviation s of all reviewers' scores for the criterion in the call: m + z * s,
clamped to the scale.

Everything is computed from one query over the call's submitted scores, so a ranking page
costs the same number of queries whatever the size of the call.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.definition import Programme
from .models import ACTIVE_STATES, Assignment, Score


@dataclass(frozen=True)
class ScoreRow:
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


def submitted_scores(call_id: int, nomination_ids: Iterable[int] | None = None) -> list[ScoreRow]:
    stmt = (
        sa.select(Assignment.nomination_id, Assignment.reviewer_id, Score.criterion, Score.value)
        .join(Score, Score.assignment_id == Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(
            Nomination.call_id == call_id,
            Assignment.state == "submitted",
            Score.value.is_not(None),
        )
    )
    if nomination_ids is not None:
        stmt = stmt.where(Assignment.nomination_id.in_(list(nomination_ids)))
    return [ScoreRow(*row) for row in db.session.execute(stmt)]


def normaliser(rows: list[ScoreRow], programme: Programme):
    """Return f(row) -> the normalised score of a row, from the call's score statistics."""
    by_reviewer: dict[tuple[int, str], list[int]] = defaultdict(list)
    by_criterion: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_reviewer[(r.reviewer_id, r.criterion)].append(r.value)
        by_criterion[r.criterion].append(r.value)
    reviewer_stats = {
        key: (statistics.fmean(v), statistics.pstdev(v)) for key, v in by_reviewer.items()
    }
    criterion_stats = {
        key: (statistics.fmean(v), statistics.pstdev(v)) for key, v in by_criterion.items()
    }
    bounds = {c.id: (c.min, c.max) for c in programme.rubric.criteria}

    def normalise(row: ScoreRow) -> float:
        mean_r, sd_r = reviewer_stats[(row.reviewer_id, row.criterion)]
        z = 0.0 if sd_r == 0 else (row.value - mean_r) / sd_r
        mean_c, sd_c = criterion_stats[row.criterion]
        low, high = bounds.get(row.criterion, (float("-inf"), float("inf")))
        return min(high, max(low, mean_c + z * sd_c))

    return normalise


def aggregate(
    programme: Programme,
    rows: list[ScoreRow],
    threshold: float,
    all_rows: list[ScoreRow] | None = None,
) -> dict[int, NominationResult]:
    """Aggregate ``rows``; normalise against ``all_rows`` (the whole call) when given."""
    normalise = normaliser(all_rows if all_rows is not None else rows, programme)
    results: dict[int, NominationResult] = {}
    reviewers: dict[int, set[int]] = defaultdict(set)
    for r in rows:
        result = results.setdefault(r.nomination_id, NominationResult(r.nomination_id))
        crit = result.criteria.setdefault(r.criterion, CriterionResult(r.criterion, [], []))
        crit.values.append(r.value)
        crit.normalised.append(normalise(r))
        reviewers[r.nomination_id].add(r.reviewer_id)
    rubric = programme.rubric
    for nomination_id, result in results.items():
        result.reviews = len(reviewers[nomination_id])
        for crit in result.criteria.values():
            crit.mean = statistics.fmean(crit.values)
            crit.median = statistics.median(crit.values)
            crit.spread = max(crit.values) - min(crit.values)
            crit.normalised_mean = statistics.fmean(crit.normalised)
            crit.disagreement = crit.spread > threshold
        scored = [c for c in rubric.criteria if c.id in result.criteria]
        if len(scored) == len(rubric.criteria):
            result.weighted_total = sum(c.weight * result.criteria[c.id].mean for c in scored)
            best = sum(c.weight * c.max for c in rubric.criteria)
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


def aggregate_call(call) -> dict[int, NominationResult]:
    """Aggregate every nomination of a call (one query)."""
    rows = submitted_scores(call.id)
    return aggregate(call.programme, rows, call.disagreement_threshold)


def aggregate_nomination(nomination: Nomination) -> NominationResult | None:
    """Aggregate one nomination, normalised against the whole call."""
    call = nomination.call
    all_rows = submitted_scores(call.id)
    rows = [r for r in all_rows if r.nomination_id == nomination.id]
    return aggregate(call.programme, rows, call.disagreement_threshold, all_rows).get(nomination.id)


def reviews_complete(nomination: Nomination) -> bool:
    """At least one review, and every active assignment has submitted its review."""
    counts = dict(
        db.session.execute(
            sa.select(Assignment.state, sa.func.count())
            .where(
                Assignment.nomination_id == nomination.id,
                Assignment.state.in_((*ACTIVE_STATES, "invited")),
            )
            .group_by(Assignment.state)
        ).all()
    )
    submitted = counts.get("submitted", 0)
    return submitted > 0 and submitted == sum(counts.values())
