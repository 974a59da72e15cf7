"""Qualifications (a minimum of areas of strength): whose qualification changes without one
reviewer; how often each qualifies when the reviews are resampled."""

from __future__ import annotations

import random

from .outcome import (
    QUALIFICATION,
    QUALIFIES,
    Hinge,
    Share,
    Single,
    Verdict,
    hinge_order,
    resamples_within,
    sums_of,
)


def qualified(reviews, rubric, outcome, resamples, seed, work) -> Verdict:
    """The verdict on each nomination's qualification from its reviews."""
    threshold, minimum = rubric.strength_threshold, rubric.strength_minimum
    essentials = [i for i, c in enumerate(rubric.criteria) if c.essential]
    width = len(rubric.criteria)
    stats = {n: sums_of(per.values(), width) for n, per in reviews.items()}
    assessed = sorted(reviews)
    qualifies, deciding, areas = {}, {}, {}
    for n in assessed:
        sums, counts = stats[n]
        means = sorted(
            (sums[i] / counts[i] for i in essentials if counts[i]),
            reverse=True,
        )
        strong = sum(1 for mean in means if mean >= threshold)
        qualifies[n] = strong >= minimum
        areas[n] = strong - minimum
        deciding[n] = means[minimum - 1] if len(means) >= minimum else None
    decided = outcome.recognised & set(assessed)
    refused = outcome.refused & set(assessed)
    holding = decided | {n for n in assessed if qualifies[n] and n not in refused}
    unbacked = tuple(n for n in assessed if (n in holding) != qualifies[n])
    backed = set(assessed) - set(unbacked)

    hinges: list[Hinge] = []
    single: list[Single] = []
    by_reviewer: dict[int, list[int]] = {}
    for n in assessed:
        for reviewer_id in reviews[n]:
            by_reviewer.setdefault(reviewer_id, []).append(n)
    for reviewer_id in sorted(by_reviewer):
        for n in by_reviewer[reviewer_id]:
            if len(reviews[n]) == 1:
                if n in holding:
                    single.append(Single(n, reviewer_id, QUALIFICATION))
                continue
            if n not in backed:
                continue
            sums, counts = stats[n]
            own = reviews[n][reviewer_id]
            strong = 0
            for i in essentials:
                s, c = sums[i], counts[i]
                if own[i] is not None:
                    s -= own[i]
                    c -= 1
                if c and s / c >= threshold:
                    strong += 1
            if (strong >= minimum) != qualifies[n]:
                margin = None if deciding[n] is None else abs(deciding[n] - threshold)
                hinges.append(
                    Hinge(n, reviewer_id, QUALIFICATION, qualifies[n], margin, strong, areas[n])
                )

    stake = [n for n in assessed if n in holding]
    shares, done = bootstrap(reviews, essentials, threshold, minimum, stake, resamples, seed, work)
    return Verdict(
        kind=QUALIFIES,
        assessed=len(assessed),
        reviewers=len(by_reviewer),
        decided=bool(decided),
        holding=tuple(n for n in assessed if n in holding),
        first=None,
        hinges=tuple(sorted(hinges, key=hinge_order)),
        single=tuple(single),
        shares=shares,
        resamples=done,
        unbacked=unbacked,
        threshold=threshold,
        minimum=minimum,
    )


def bootstrap(
    reviews, essentials, threshold, minimum, stake, resamples, seed, work
) -> tuple[tuple[Share, ...], int]:
    """The share of resamples in which each nomination of ``stake`` qualifies. Only the
    Essentials whose mean may land on either side of the threshold are drawn, and only for
    the nominations whose qualification they can change."""
    plans, found = {}, {}
    for n in stake:
        scored = list(reviews[n].values())
        columns = {i: [scores[i] for scores in scored] for i in essentials}
        sure = [i for i, col in columns.items() if None not in col and min(col) >= threshold]
        possible = [
            i for i, col in columns.items() if any(v is not None and v >= threshold for v in col)
        ]
        if len(sure) >= minimum or len(possible) < minimum:
            found[n] = 1.0 if len(sure) >= minimum else 0.0
            continue
        uncertain = [i for i in possible if i not in sure]
        plans[n] = (scored, uncertain, minimum - len(sure))
    per_resample = sum(len(scored) * (1 + len(u)) for scored, u, _need in plans.values())
    count = resamples_within(resamples, work, per_resample)
    rng = random.Random(seed)
    for n in sorted(plans):
        scored, uncertain, need = plans[n]
        k = len(scored)
        hits = 0
        for _ in range(count):
            picked = rng.choices(scored, k=k)
            strong = 0
            for i in uncertain:
                values = [s[i] for s in picked if s[i] is not None]
                if values and sum(values) / len(values) >= threshold:
                    strong += 1
            hits += strong >= need
        found[n] = hits / count
    shares = [Share(n, QUALIFICATION, found[n]) for n in stake]
    return tuple(sorted(shares, key=lambda s: (s.share, s.nomination_id))), count
