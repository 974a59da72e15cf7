"""Fairness by language: do nominations fare differently by the language they are written
in, and do reviewers score differently from their co-reviewers?

Definitions (one review round, the first by default; its counted reviews only):

- A review's score: the weighted mean, over the round's criteria it scored, of its scores
  (raw) or of their normalised values (``aggregation.normaliser``: each reviewer's own mean
  and spread taken out, against the whole round's scores). Weights are the round's.
- A nomination's score: the weighted mean, over the criteria scored, of the mean of its
  scores for the criterion (every reviewer's): the ranking's weighted total (raw) or
  normalised total, divided by the weights' sum so that it reads on the criteria's scale.
- By the nomination's language: the nominations with at least one review, their mean raw
  and normalised score, and how many were reviewed by at least one reviewer who reads their
  language (``operations.languages_read``: the languages declared, else the interface one).
- By the reviewer's language: a reviewer counts in each language they read; their reviews'
  mean raw score and mean offset against co-reviewers. No normalised mean here: normalising
  takes out each reviewer's own mean, so every group of reviewers comes out at the round's
  mean by construction.
- A reviewer's severity: the mean, over the nominations they reviewed with others, of their
  raw score minus the mean of the other reviewers' raw scores (each co-reviewer once).
  Negative: harsher than their co-reviewers.

Noise:

- The languages' gap (highest minus lowest mean normalised score of nominations) is tested
  by permutation: the language labels are shuffled among the nominations (fixed seed) and
  the gap recomputed; p = (1 + shuffles with a gap at least as large) / (1 + shuffles).
  A warning when p < 0.05.
- Severity is tested against the same idea, exactly rather than by sampling: were the
  reviewers of each nomination exchanged at random, a reviewer's offset on nomination j
  would average 0 with variance (k/(k-1))^2 * var_j (k reviewers, var_j the population
  variance of their scores), independently across nominations. z = severity / its standard
  error; a reviewer with at least ``SEVERITY_MIN_NOMINATIONS`` is flagged when the two-sided
  normal p-value is below 0.05 divided by the number of reviewers so tested (Bonferroni:
  by chance alone, a call flags somebody less than once in twenty).

Everything comes from one query over the round's scores with the nominations' languages and
the reviewers' languages; the result is kept (``analyses``: per process for a small round,
in the database for every app server for a large one, computed in the background) until the
round's kept generation moves (every review counted or uncounted moves it), so a dashboard
view costs no statement while nothing changed. A reviewer who changes the languages they
read shows in the figures with the next review counted or reopened.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import ClassVar, NamedTuple

import sqlalchemy as sa
from babel.numbers import get_minus_sign_symbol, get_plus_sign_symbol
from flask_babel import format_decimal, get_locale

from ..accounts.models import User
from ..config import LANGUAGES
from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.definition import Programme, Round, Rubric
from . import analyses
from .aggregation import ScoreRow, _scores_stmt, normaliser
from .kept import round_generation
from .models import Assignment
from .operations import languages_read

#: Warn when chance alone gives a gap as large less often than this.
ALPHA = 0.05
#: Shuffles of the language labels; fewer (not under ``MIN_PERMUTATIONS``) when the
#: nominations are so many that the shuffles would draw more than ``PERMUTATION_WORK``
#: values in all (about a third of a second).
PERMUTATIONS = 1000
MIN_PERMUTATIONS = 200
PERMUTATION_WORK = 1_000_000
SEED = 20
#: A reviewer's severity rests on at least this many co-reviewed nominations to be flagged.
SEVERITY_MIN_NOMINATIONS = 5


@dataclass(frozen=True)
class NominationLanguage:
    """The nominations written in one language that have at least one review."""

    language: str
    nominations: int
    raw_mean: float
    normalised_mean: float
    #: Of them, reviewed by at least one reviewer who reads the language.
    read: int

    @property
    def read_share(self) -> float:
        return self.read / self.nominations


@dataclass(frozen=True)
class ReviewerLanguage:
    """The reviewers who read one language and the reviews they wrote (in any language)."""

    language: str
    reviewers: int
    reviews: int
    raw_mean: float
    #: Mean offset against co-reviewers, over ``offsets`` reviews that had co-reviewers.
    offset_mean: float | None
    offsets: int


@dataclass(frozen=True)
class Severity:
    reviewer_id: int
    name: str
    #: Mean offset against co-reviewers (raw score points); negative is harsher.
    severity: float
    nominations: int
    z: float
    flagged: bool


@dataclass(frozen=True)
class GapTest:
    """The largest gap between languages' mean normalised scores, and how often shuffling
    the labels among the nominations gave one at least as large."""

    high: str
    low: str
    gap: float
    at_least_as_large: int
    permutations: int

    @property
    def p(self) -> float:
        return (1 + self.at_least_as_large) / (1 + self.permutations)

    @property
    def beyond_noise(self) -> bool:
        return self.p < ALPHA


@dataclass(frozen=True)
class ReadingSplit:
    """Reviews of a nomination in a language the reviewer reads, or not."""

    reviews: int
    normalised_mean: float | None


@dataclass
class Fairness:
    by_nomination_language: list[NominationLanguage] = field(default_factory=list)
    by_reviewer_language: list[ReviewerLanguage] = field(default_factory=list)
    #: Reviewers with co-reviewed nominations, flagged first, then furthest beyond noise.
    severities: list[Severity] = field(default_factory=list)
    language_gap: GapTest | None = None
    #: Reviewers whose severity was tested, and the |z| beyond which one is flagged.
    severity_tested: int = 0
    severity_threshold: float | None = None
    reader: ReadingSplit = ReadingSplit(0, None)
    non_reader: ReadingSplit = ReadingSplit(0, None)
    min_nominations: ClassVar[int] = SEVERITY_MIN_NOMINATIONS

    @property
    def nominations(self) -> int:
        return sum(g.nominations for g in self.by_nomination_language)

    @property
    def read(self) -> int:
        return sum(g.read for g in self.by_nomination_language)

    @property
    def read_share(self) -> float | None:
        return self.read / self.nominations if self.nominations else None

    @property
    def flagged(self) -> list[Severity]:
        return [s for s in self.severities if s.flagged]


def _language_order(code: str) -> tuple[int, str]:
    return (LANGUAGES.index(code) if code in LANGUAGES else len(LANGUAGES), code)


def _weighted(sums: Mapping[str, list[float]], weights: Mapping[str, float], index: int):
    """The weighted mean over criteria of each criterion's mean (``sums``: criterion ->
    [raw sum, normalised sum, count]; ``index`` 0 raw, 1 normalised)."""
    total = weight = 0.0
    for criterion, acc in sums.items():
        w = weights[criterion]
        total += w * acc[index] / acc[2]
        weight += w
    return total / weight if weight else None


def fairness(
    rows: list[ScoreRow],
    nomination_languages: Mapping[int, str],
    reviewer_languages: Mapping[int, frozenset[str]],
    programme: Programme,
    rubric: Rubric | None = None,
    names: Mapping[int, str] | None = None,
    *,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> Fairness:
    """The fairness figures of one round's score rows (see the module's definitions)."""
    rubric = rubric or programme.rubric
    weights = {c.id: c.weight for c in rubric.criteria}
    normalise = normaliser(rows, programme)
    # A normalised score depends on the reviewer, the criterion and the value alone.
    normalised: dict[tuple[int, str, int], float] = {}
    # (nomination, reviewer) -> [weighted raw sum, weighted normalised sum, weights' sum]
    reviews: dict[tuple[int, int], list[float]] = {}
    # nomination -> criterion -> [raw sum, normalised sum, scores]
    criteria: dict[int, dict[str, list[float]]] = defaultdict(dict)
    for row in rows:
        nomination_id, reviewer_id, criterion, value = row
        w = weights.get(criterion)
        if w is None:
            continue
        key = (reviewer_id, criterion, value)
        norm = normalised.get(key)
        if norm is None:
            norm = normalised[key] = normalise(row)
        acc = reviews.get((nomination_id, reviewer_id))
        if acc is None:
            acc = reviews[(nomination_id, reviewer_id)] = [0.0, 0.0, 0.0]
        acc[0] += w * value
        acc[1] += w * norm
        acc[2] += w
        acc = criteria[nomination_id].get(criterion)
        if acc is None:
            acc = criteria[nomination_id][criterion] = [0.0, 0.0, 0]
        acc[0] += value
        acc[1] += norm
        acc[2] += 1
    # nomination -> its reviews' (reviewer, raw, normalised) scores
    per_nomination: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for (nomination_id, reviewer_id), (raw, norm, weight) in reviews.items():
        if weight:
            per_nomination[nomination_id].append((reviewer_id, raw / weight, norm / weight))
    scores = {
        nomination_id: (_weighted(sums, weights, 0), _weighted(sums, weights, 1))
        for nomination_id, sums in criteria.items()
        if nomination_id in per_nomination
    }

    result = Fairness()
    _by_nomination_language(
        result, per_nomination, scores, nomination_languages, reviewer_languages
    )
    offsets = _severities(result, per_nomination, names or {})
    _by_reviewer_language(result, per_nomination, offsets, nomination_languages, reviewer_languages)
    groups: dict[str, list[float]] = defaultdict(list)
    for nomination_id in sorted(scores):
        groups[nomination_languages[nomination_id]].append(scores[nomination_id][1])
    if len(groups) > 1:
        result.language_gap = gap_test(groups, permutations, seed)
    return result


def _by_nomination_language(
    result, per_nomination, scores, nomination_languages, reviewer_languages
) -> None:
    # language -> [nominations, raw sum, normalised sum, read by a reader]
    groups: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0, 0])
    for nomination_id, its_reviews in per_nomination.items():
        language = nomination_languages[nomination_id]
        raw, norm = scores[nomination_id]
        acc = groups[language]
        acc[0] += 1
        acc[1] += raw
        acc[2] += norm
        acc[3] += any(language in reviewer_languages[r] for r, _raw, _norm in its_reviews)
    result.by_nomination_language = [
        NominationLanguage(language, n, raw / n, norm / n, read)
        for language, (n, raw, norm, read) in sorted(
            groups.items(), key=lambda g: _language_order(g[0])
        )
    ]


def _severities(result, per_nomination, names) -> dict[tuple[int, int], float]:
    """Each reviewer's mean offset against co-reviewers and its z under random exchange of
    the reviewers of each nomination; the offsets per (nomination, reviewer)."""
    offsets: dict[tuple[int, int], float] = {}
    # reviewer -> [offsets' sum, nominations, null variances' sum]
    acc: dict[int, list[float]] = defaultdict(lambda: [0.0, 0, 0.0])
    for nomination_id, its_reviews in per_nomination.items():
        k = len(its_reviews)
        if k < 2:
            continue
        total = sum(raw for _r, raw, _n in its_reviews)
        mean = total / k
        variance = sum((raw - mean) ** 2 for _r, raw, _n in its_reviews) / k
        null_variance = (k / (k - 1)) ** 2 * variance
        for reviewer_id, raw, _norm in its_reviews:
            offset = raw - (total - raw) / (k - 1)
            offsets[(nomination_id, reviewer_id)] = offset
            mine = acc[reviewer_id]
            mine[0] += offset
            mine[1] += 1
            mine[2] += null_variance
    tested = sum(1 for _s, n, _v in acc.values() if n >= SEVERITY_MIN_NOMINATIONS)
    threshold = NormalDist().inv_cdf(1 - ALPHA / (2 * tested)) if tested else None
    severities = []
    for reviewer_id, (total, n, variance) in acc.items():
        severity = total / n
        se = math.sqrt(variance) / n
        z = severity / se if se > 1e-12 else 0.0
        flagged = threshold is not None and n >= SEVERITY_MIN_NOMINATIONS and abs(z) > threshold
        severities.append(
            Severity(reviewer_id, names.get(reviewer_id, ""), severity, n, z, flagged)
        )
    severities.sort(key=lambda s: (not s.flagged, -abs(s.z), s.reviewer_id))
    result.severities = severities
    result.severity_tested = tested
    result.severity_threshold = threshold
    return offsets


def _by_reviewer_language(
    result, per_nomination, offsets, nomination_languages, reviewer_languages
) -> None:
    # language -> [reviewers, reviews, raw sum, offsets' sum, offsets]
    groups: dict[str, list] = defaultdict(lambda: [set(), 0, 0.0, 0.0, 0])
    split = {True: [0, 0.0], False: [0, 0.0]}
    for nomination_id, its_reviews in per_nomination.items():
        written_in = nomination_languages[nomination_id]
        for reviewer_id, raw, norm in its_reviews:
            reads = reviewer_languages[reviewer_id]
            side = split[written_in in reads]
            side[0] += 1
            side[1] += norm
            offset = offsets.get((nomination_id, reviewer_id))
            for language in reads:
                acc = groups[language]
                acc[0].add(reviewer_id)
                acc[1] += 1
                acc[2] += raw
                if offset is not None:
                    acc[3] += offset
                    acc[4] += 1
    result.by_reviewer_language = [
        ReviewerLanguage(
            language,
            len(who),
            reviews,
            raw / reviews,
            offset / n_offsets if n_offsets else None,
            n_offsets,
        )
        for language, (who, reviews, raw, offset, n_offsets) in sorted(
            groups.items(), key=lambda g: _language_order(g[0])
        )
    ]
    for reads_it, (n, total) in split.items():
        side = ReadingSplit(n, total / n if n else None)
        if reads_it:
            result.reader = side
        else:
            result.non_reader = side


def gap_test(
    groups: Mapping[str, list[float]], permutations: int = PERMUTATIONS, seed: int = SEED
) -> GapTest:
    """The largest gap between the groups' means, tested by shuffling the values among the
    groups (same sizes) ``permutations`` times at most (see ``PERMUTATION_WORK``).

    A shuffle draws, at random without replacement, the members of every group but the
    largest, which takes the rest: the same partitions, equally likely, for less work.
    """
    labels = sorted((g for g in groups if groups[g]), key=_language_order)
    means = {g: sum(groups[g]) / len(groups[g]) for g in labels}
    high = max(labels, key=lambda g: (means[g], g))
    low = min(labels, key=lambda g: (means[g], g))
    observed = means[high] - means[low]
    largest = max(labels, key=lambda g: len(groups[g]))
    sizes = [len(groups[g]) for g in labels if g != largest]
    rest = len(groups[largest])
    values = [v for g in labels for v in groups[g]]
    total = sum(values)
    drawn_count = len(values) - rest
    permutations = min(permutations, max(MIN_PERMUTATIONS, PERMUTATION_WORK // max(drawn_count, 1)))
    sample = random.Random(seed).sample
    # Float sums in another order may differ in the last bits: a tie counts as "as large".
    bar = observed - 1e-9
    hits = 0
    for _ in range(permutations):
        drawn = sample(values, drawn_count)
        top = bottom = (total - sum(drawn)) / rest
        start = 0
        for size in sizes:
            mean = sum(drawn[start : start + size]) / size
            start += size
            if mean > top:
                top = mean
            elif mean < bottom:
                bottom = mean
        if top - bottom >= bar:
            hits += 1
    return GapTest(high, low, observed, hits, permutations)


# -- reading the round -------------------------------------------------------------------------


class _Reader(NamedTuple):
    languages: list[str]
    locale: str


def round_rows(call_id: int, round_id: str):
    """The round's counted scores, the nominations' languages, the languages each reviewer
    reads and the reviewers' names: one statement."""
    stmt = (
        _scores_stmt(call_id, round_id)
        .join(User, User.id == Assignment.reviewer_id)
        .add_columns(Nomination.language, User.name, sa.cast(User.languages, sa.Text), User.locale)
    )
    rows: list[ScoreRow] = []
    written_in: dict[int, str] = {}
    reads: dict[int, frozenset[str]] = {}
    names: dict[int, str] = {}
    # Plain rows (no ORM loading): a large call has a quarter of a million.
    for row in db.session.connection().execute(stmt):
        nomination_id, reviewer_id, criterion, value, language, name, declared, locale = row
        rows.append(ScoreRow(nomination_id, reviewer_id, criterion, value))
        written_in[nomination_id] = language
        if reviewer_id not in reads:
            reads[reviewer_id] = languages_read(_Reader(json.loads(declared or "[]"), locale))
            names[reviewer_id] = name
    return rows, written_in, reads, names


def _compute(call, round_: Round, _given=None) -> Fairness:
    rows, written_in, reads, names = round_rows(call.id, round_.id)
    return fairness(rows, written_in, reads, call.programme, round_.rubric, names)


def _read(call, round_: Round) -> tuple[str, None]:
    return str(round_generation(call, round_.id, fresh=True)), None


FAIRNESS = analyses.kind("fairness", Fairness, _compute, _read)


def call_fairness(call, round_id: str | None = None) -> analyses.Kept[Fairness]:
    """The fairness figures of a call's round (the first by default): weighed on the page
    for a small round, else as last computed for every app server (``analyses``). No
    statement while the round's kept generation has not moved."""
    round_ = call.programme.round(round_id)
    generation = round_generation(call, round_.id)
    return analyses.kept(FAIRNESS, call, round_, str(generation), None)


def signed(value: float, places: int = 2) -> str:
    """A number with its sign, in the reader's locale (the locale's plus and minus signs,
    which in Arabic carry a left-to-right mark so that the sign stays before the digits)."""
    rounded = round(value, places)
    shown = format_decimal(abs(rounded), "0." + "0" * places if places else "0")
    if rounded == 0:
        return shown
    locale = get_locale()
    return (get_plus_sign_symbol(locale) if value > 0 else get_minus_sign_symbol(locale)) + shown
