"""What is weighed and what comes out: the outcome at stake, the verdict and its parts, and
the arithmetic the leave-one-out and the bootstrap share (totals as ``aggregate`` sums them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...programmes.definition import Rubric
from ..aggregation import ScoreRow

#: What the outcome is: places in a ranking, or each nomination's qualification.
RANKED, QUALIFIES = "ranked", "qualifies"
#: What is at stake for a nomination: a place, first place, a qualification.
PLACE, FIRST, QUALIFICATION = "place", "first", "qualification"
#: Resamples of the bootstrap, at most and at least; its seed.
RESAMPLES = 200
FEWEST_RESAMPLES = 20
SEED = 20
#: The bootstrap's draws of a review at most (in all its resamples): its time is bounded
#: whatever the size of the call.
WORK = 3_000_000


@dataclass(frozen=True)
class Outcome:
    """What the round decides: ``kind`` RANKED or QUALIFIES; ``places`` the places of a ranking
    before any decision; ``recognised`` the nominations decided with a recognition, and
    ``refused`` those decided without; ``excluded`` those out of contention (withdrawn,
    ineligible), left out."""

    kind: str
    places: int = 1
    recognised: frozenset[int] = frozenset()
    refused: frozenset[int] = frozenset()
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Hinge:
    """A nomination whose outcome changes without one reviewer's scores.

    ``holds``: it has the outcome (a place, first place, a qualification) with every review
    and loses it without the reviewer; otherwise it lacks it and would gain it. ``margin``:
    its distance from the cut-off with every review (points of the weighted total, or of the
    deciding Essential's mean). ``without``: its total (ranked) or number of areas of
    strength (qualification) without the reviewer. ``areas``: areas of strength above (or,
    negative, short of) the minimum.
    """

    nomination_id: int
    reviewer_id: int
    stake: str
    holds: bool
    margin: float | None
    without: float | None
    areas: int | None = None


@dataclass(frozen=True)
class Single:
    """A nomination at stake with no result without ``reviewer_id``'s scores."""

    nomination_id: int
    reviewer_id: int
    stake: str


@dataclass(frozen=True)
class Share:
    """In what share of the resamples a nomination keeps its outcome (``stake``)."""

    nomination_id: int
    stake: str
    share: float


@dataclass(frozen=True)
class Verdict:
    kind: str
    #: Nominations assessed (in contention, with scores) and their reviewers.
    assessed: int
    reviewers: int
    #: Recognitions decided (True) or the places the ranking gives (False).
    decided: bool
    #: The nominations holding the outcome: the recognised (decided) or the places, best
    #: first; for a qualification, those that qualify.
    holding: tuple[int, ...]
    first: int | None
    hinges: tuple[Hinge, ...]
    single: tuple[Single, ...]
    #: Lowest first.
    shares: tuple[Share, ...]
    resamples: int
    #: Decisions the ranking (or the qualification) does not back: not assessed.
    unbacked: tuple[int, ...] = ()
    #: RANKED: the last place's total and the first total below the places.
    cutoff: tuple[float | None, float | None] = (None, None)
    #: QUALIFIES: the threshold and the minimum of areas of strength.
    threshold: float | None = None
    minimum: int | None = None

    @property
    def robust(self) -> bool:
        """No outcome hinges on one reviewer, and none rests on a single review."""
        return not self.hinges and not self.single


#: One reviewer's scores of one nomination, by criterion of the rubric (None: not scored).
Scores = list[int | None]


def reviews_of(rows: Iterable[ScoreRow], rubric: Rubric) -> dict[int, dict[int, Scores]]:
    """nomination -> reviewer -> their scores by criterion of the rubric."""
    index = {c.id: i for i, c in enumerate(rubric.criteria)}
    width = len(index)
    found: dict[int, dict[int, Scores]] = {}
    for nomination_id, reviewer_id, criterion, value in rows:
        i = index.get(criterion)
        if i is None or value is None:
            continue
        per = found.get(nomination_id)
        if per is None:
            per = found[nomination_id] = {}
        scores = per.get(reviewer_id)
        if scores is None:
            scores = per[reviewer_id] = [None] * width
        scores[i] = value
    return found


def sums_of(reviews: Iterable[Scores], width: int) -> tuple[list[int], list[int]]:
    """Per criterion: the sum and the number of the scores given."""
    sums, counts = [0] * width, [0] * width
    for scores in reviews:
        for i, value in enumerate(scores):
            if value is not None:
                sums[i] += value
                counts[i] += 1
    return sums, counts


def total_of(sums, counts, weights, own: Scores | None = None) -> float | None:
    """The weighted total (of criterion means, in the rubric's order, as ``aggregate`` sums
    it), without ``own`` scores when given; None when a criterion has no score."""
    total = 0
    for i, weight in enumerate(weights):
        s, n = sums[i], counts[i]
        if own is not None and own[i] is not None:
            s -= own[i]
            n -= 1
        if not n:
            return None
        total += weight * (s / n)
    return total


def resamples_within(resamples: int, work: int, per_resample: int) -> int:
    """As many resamples as the work allows, between FEWEST_RESAMPLES and ``resamples``."""
    if not per_resample:
        return resamples
    return max(min(resamples, FEWEST_RESAMPLES), min(resamples, work // per_resample))


def hinge_order(hinge: Hinge) -> tuple:
    """First place, then places and qualifications; those that would lose first; the
    closest to the cut-off first."""
    stake = (FIRST, PLACE, QUALIFICATION).index(hinge.stake)
    margin = hinge.margin if hinge.margin is not None else float("inf")
    return (stake, not hinge.holds, margin, hinge.nomination_id, hinge.reviewer_id)
