"""Places in a ranking: who leaves or enters them, or first place, without one reviewer; how
often each keeps its place when the reviews are resampled."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable

from .outcome import (
    FIRST,
    PLACE,
    RANKED,
    Hinge,
    Scores,
    Share,
    Single,
    Verdict,
    hinge_order,
    resamples_within,
    sums_of,
    total_of,
)


def ranked(reviews, rubric, outcome, resamples, seed, work) -> Verdict:
    """The verdict on a ranking's places (and first place) from each nomination's reviews."""
    weights = [c.weight for c in rubric.criteria]
    width = len(weights)
    stats = {n: sums_of(per.values(), width) for n, per in reviews.items()}
    totals = {}
    for n, (sums, counts) in stats.items():
        total = total_of(sums, counts, weights)
        if total is not None:
            totals[n] = total
    order = sorted(totals, key=lambda n: (-totals[n], n))
    position = {n: i for i, n in enumerate(order)}
    decided = outcome.recognised & totals.keys()
    m = len(decided) if decided else min(max(1, outcome.places), len(order))
    places = set(order[:m])
    holding = decided or places
    backed = {n for n in order if (n in holding) == (n in places)}
    unbacked = tuple(n for n in order if n not in backed and (n in decided or n in outcome.refused))
    cut_in = totals[order[m - 1]] if m else None
    cut_out = totals[order[m]] if m < len(order) else None

    hinges: list[Hinge] = []
    single: list[Single] = []
    by_reviewer: dict[int, list[int]] = {}
    for n in order:
        for reviewer_id in reviews[n]:
            by_reviewer.setdefault(reviewer_id, []).append(n)
    for reviewer_id in sorted(by_reviewer):
        moved: dict[int, float] = {}
        for n in by_reviewer[reviewer_id]:
            sums, counts = stats[n]
            total = total_of(sums, counts, weights, reviews[n][reviewer_id])
            if total is None:
                if n in holding or n == order[0]:
                    single.append(Single(n, reviewer_id, PLACE if n in holding else FIRST))
                continue  # weighed as a single review, not as a change of rank
            moved[n] = total
        if not moved:
            continue
        if 0 < m < len(order):
            lost, gained = _crossing(order, position, m, totals, moved)
            for n in lost:
                if n in backed:
                    margin = totals[n] - cut_out
                    hinges.append(
                        Hinge(n, reviewer_id, PLACE, True, margin, moved.get(n, totals[n]))
                    )
            for n in gained:
                if n in backed:
                    margin = cut_in - totals[n]
                    hinges.append(
                        Hinge(n, reviewer_id, PLACE, False, margin, moved.get(n, totals[n]))
                    )
        if m > 1:
            now_first = _first(order, totals, moved)
            if now_first != order[0]:
                leader, second = order[0], totals[order[1]]
                hinges.append(
                    Hinge(
                        leader,
                        reviewer_id,
                        FIRST,
                        True,
                        totals[leader] - second,
                        moved.get(leader, totals[leader]),
                    )
                )
                hinges.append(
                    Hinge(
                        now_first,
                        reviewer_id,
                        FIRST,
                        False,
                        totals[leader] - totals[now_first],
                        moved.get(now_first, totals[now_first]),
                    )
                )

    shares, done = bootstrap(reviews, weights, totals, order, m, holding, resamples, seed, work)
    return Verdict(
        kind=RANKED,
        assessed=len(order),
        reviewers=len(by_reviewer),
        decided=bool(decided),
        holding=tuple(n for n in order if n in holding),
        first=order[0] if order else None,
        hinges=tuple(sorted(hinges, key=hinge_order)),
        single=tuple(single),
        shares=shares,
        resamples=done,
        unbacked=unbacked,
        cutoff=(cut_in, cut_out),
    )


def _crossing(order, position, m, totals, moved) -> tuple[list[int], list[int]]:
    """Who leaves the first ``m`` places, and who enters them, when the ``moved``
    nominations take their new totals.

    Only the moved nominations, the weakest of the others in the places and the strongest of
    the others below them (as many as moved, each side) can cross: the rest keep their side.
    """
    count = len(moved)
    weakest, i = [], m - 1
    while i >= 0 and len(weakest) < count:
        if order[i] not in moved:
            weakest.append(order[i])
        i -= 1
    staying = i + 1 - sum(1 for n in moved if position[n] <= i)
    strongest, j = [], m
    while j < len(order) and len(strongest) < count:
        if order[j] not in moved:
            strongest.append(order[j])
        j += 1
    candidates = [(-totals[n], n) for n in (*weakest, *strongest)]
    candidates += [(-total, n) for n, total in moved.items()]
    chosen = {n for _key, n in heapq.nsmallest(m - staying, candidates)}
    lost = [n for n in weakest if n not in chosen]
    lost += [n for n in moved if position[n] < m and n not in chosen]
    gained = [n for n in strongest if n in chosen]
    gained += [n for n in moved if position[n] >= m and n in chosen]
    return lost, gained


def _first(order, totals, moved) -> int:
    """Who ranks first when the ``moved`` nominations take their new totals."""
    best = next(((-totals[n], n) for n in order if n not in moved), None)
    for n, total in moved.items():
        if best is None or (-total, n) < best:
            best = (-total, n)
    return best[1]


def _bounds(scores_of: Iterable[Scores], weights) -> tuple[float, float]:
    """The lowest and highest total any resample of these reviews can have."""
    columns = list(zip(*scores_of, strict=True))
    low = high = 0.0
    for weight, column in zip(weights, columns, strict=True):
        present = [v for v in column if v is not None]
        low += weight * min(present)
        high += weight * max(present)
    return low, high


def _contenders(bounds, complete, m: int) -> tuple[set[int], set[int]]:
    """Those surely within the first ``m`` in every resample, and those that may or may not
    be: the others are never within them."""
    lows = sorted((bounds[n][0] for n in bounds if n in complete), reverse=True)
    highs = sorted((b[1] for b in bounds.values()), reverse=True)
    if len(lows) < m:
        return set(), set(bounds)
    floor = lows[m - 1]  # at least m totals reach it in every resample
    ceiling = highs[m] if len(highs) > m else float("-inf")  # at most m exceed it
    sure = {n for n in complete if bounds[n][0] > ceiling}
    maybe = {n for n, (_low, high) in bounds.items() if high >= floor and n not in sure}
    return sure, maybe


def _draws(rng, reviews: list[Scores], weights, count: int) -> list[float | None]:
    """``count`` resampled totals of one nomination."""
    k = len(reviews)
    if all(None not in scores for scores in reviews):
        # Every review scores every criterion: the weighted total is the mean of the
        # reviews' own weighted totals.
        own = [sum(w * v for w, v in zip(weights, scores, strict=True)) for scores in reviews]
        picks = rng.choices(own, k=k * count)
        return [s / k for s in map(sum, zip(*[iter(picks)] * k, strict=True))]
    found: list[float | None] = []
    width = len(weights)
    for _ in range(count):
        picked = rng.choices(reviews, k=k)
        found.append(total_of(*sums_of(picked, width), weights))
    return found


def bootstrap(reviews, weights, totals, order, m, holding, resamples, seed, work):
    """The share of resamples in which each nomination of ``holding`` ranks within the
    first ``m``, and the first ranks first; the resamples made."""
    if not order:
        return (), resamples
    bounds = {n: _bounds(reviews[n].values(), weights) for n in order}
    complete = {n for n in order if all(None not in s for s in reviews[n].values())}
    sure, maybe = _contenders(bounds, complete, m)
    sure_first, maybe_first = _contenders(bounds, complete, 1)
    drawn = sorted(maybe | (set() if sure_first else maybe_first))
    per_resample = sum(len(reviews[n]) * (1 if n in complete else len(weights)) for n in drawn)
    count = resamples_within(resamples, work, per_resample)
    rng = random.Random(seed)
    totals_of = {n: _draws(rng, list(reviews[n].values()), weights, count) for n in drawn}
    stake = [n for n in order if n in holding]
    kept = dict.fromkeys(stake, 0)
    firsts = 0
    leader = order[0]
    slots = m - len(sure)
    within = sorted(maybe)
    contending = sorted(maybe_first)
    for b in range(count):
        keys = [(-totals_of[n][b], n) for n in within if totals_of[n][b] is not None]
        chosen = {n for _key, n in heapq.nsmallest(slots, keys)} | sure
        for n in stake:
            if n in chosen:
                kept[n] += 1
        if sure_first:
            firsts += int(leader in sure_first)
        else:
            best = min(
                ((-totals_of[n][b], n) for n in contending if totals_of[n][b] is not None),
                default=None,
            )
            firsts += best is not None and best[1] == leader
    shares = [Share(n, PLACE, kept[n] / count) for n in stake]
    if m > 1 or leader not in holding:
        shares.append(Share(leader, FIRST, firsts / count))
    return tuple(sorted(shares, key=lambda s: (s.share, s.stake != FIRST, s.nomination_id))), count
