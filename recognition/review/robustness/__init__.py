"""Whether a round's outcome rests on one reviewer: leave one reviewer out, and resample the
reviews (a bootstrap), over the round's submitted scores.

``assess`` is pure computation (``outcome``, ``ranking``, ``qualification``): the scores, the
round's rubric and the outcome at stake come in, a verdict goes out. ``reading`` reads what it
needs from a call and keeps the verdict; ``panel`` says it on the ranking and on the
confirmation page of the call's announcement.

The outcome is what the scores decide in the round:

- ranked programmes (decisions by award levels, such as the Sasakawa Award's one Laureate):
  the *places*. Once recognitions are decided, there are as many places as recognised
  nominations, and a decision is *backed* by the scores when the recognised nomination ranks
  within the places (one refused: below them); a decision the ranking does not back is
  counted, not assessed; nor is an undecided nomination ranking within the places while a
  recognised one ranks below them. Before any decision, the places are the best
  ``Outcome.places`` by weighted total (what the quotas of the programme's highest levels
  give, at least one: who ranks first). With more than one place, who ranks first is
  assessed as well.
- programmes whose rubric sets a minimum of areas of strength (Role Model City): whether each
  nomination *qualifies*, its criterion mean reaching the strength threshold on at least the
  minimum number of Essentials. A decision is backed when the recognised nomination
  qualifies (one refused: does not); an undecided nomination's outcome is its qualification.

Leave one reviewer out: for each reviewer, the nominations they scored are recomputed
without their scores (a total is the weighted mean of criterion means, as
``aggregation.aggregate`` computes it); an outcome that changes *hinges* on that reviewer.
Its *margin* is how far it stood from the cut-off with every review: for a place, the
distance of its total from the first total below the places (below them: from the last
place); for first place, from the second (or the first); for a qualification, the distance
of its deciding Essential's mean (the minimum-th strongest) from the threshold, with how many
areas of strength it has above (or short of) the minimum.

A nomination at stake that one reviewer alone scored (or on a criterion no one else scored)
has no result without them: it is listed as resting on a *single review*, with the
reviewer, rather than as a change of rank. It is what a leave-one-out cannot weigh, and the
verdict is then not "robust" either.

The bootstrap draws each nomination's reviews with replacement, as many as it has, up to
``RESAMPLES`` times from a fixed seed (the same verdict every time): the share of resamples in
which each recognised nomination keeps its outcome, and the first stays first. Only the
nominations whose outcome can change are drawn: a resampled total stays between the weighted
sums of the lowest and of the highest score given on each criterion, and those bounds show
which can never reach the cut-off and which never leave it. The draws are bounded
(``WORK``): when more nominations are near the cut-off, fewer resamples are made.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...programmes.definition import Rubric
from ..aggregation import ScoreRow
from .outcome import (
    FEWEST_RESAMPLES,
    FIRST,
    PLACE,
    QUALIFICATION,
    QUALIFIES,
    RANKED,
    RESAMPLES,
    SEED,
    WORK,
    Hinge,
    Outcome,
    Share,
    Single,
    Verdict,
    reviews_of,
)
from .qualification import qualified
from .ranking import ranked

__all__ = [
    "FEWEST_RESAMPLES",
    "FIRST",
    "PLACE",
    "QUALIFICATION",
    "QUALIFIES",
    "RANKED",
    "RESAMPLES",
    "SEED",
    "WORK",
    "Hinge",
    "Outcome",
    "Share",
    "Single",
    "Verdict",
    "assess",
]


def assess(
    rows: Iterable[ScoreRow],
    rubric: Rubric,
    outcome: Outcome,
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    work: int = WORK,
) -> Verdict:
    """The robustness of ``outcome`` under the round's score rows (``submitted_scores``)."""
    reviews = reviews_of(rows, rubric)
    for nomination_id in outcome.excluded:
        reviews.pop(nomination_id, None)
    if outcome.kind == QUALIFIES:
        return qualified(reviews, rubric, outcome, resamples, seed, work)
    return ranked(reviews, rubric, outcome, resamples, seed, work)
