"""Reading a call's round for the robustness of its outcome, and keeping the verdict.

The verdict is computed from the round's submitted scores (the query ``aggregate_call``
reads) and kept (``analyses``: per process for a small round, for every app server and
computed in the background for a large one) while nothing it depends on moves: the round's
kept generation (every review counted or uncounted moves it on; read with the call, no query
of its own), the quotas, and the call's decisions. A page that shows it again runs one
statement: the decisions and the names it shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import sqlalchemy as sa

from ...accounts.models import City, User
from ...extensions import db
from ...i18n import current_language
from ...localized import pick
from ...nominations.models import Nomination
from ...nominees.models import Nominee
from ...programmes.definition import Round, Rubric
from ...workflow.registry import definition_for, tagged
from ...workflow.worklists import kept_read
from .. import analyses
from ..aggregation import submitted_scores
from ..kept import round_generation
from ..models import Assignment
from . import QUALIFIES, RANKED, Hinge, Outcome, Share, Single, Verdict, assess

#: Rows shown per table: the most fragile first.
LIMIT = 20


def outcome_kind(rubric: Rubric) -> str:
    """A qualification where the rubric sets a minimum of areas of strength, else places."""
    if rubric.strength_threshold is not None and rubric.strength_minimum is not None:
        return QUALIFIES
    return RANKED


def places_of(call) -> int:
    """The places a ranking gives before any decision: the quotas of the programme's
    levels from the highest, up to the first without one; at least one (who ranks first)."""
    total = 0
    for level in call.programme.levels:
        quota = call.quota(level.id)
        if quota is None:
            break
        total += quota
    return max(1, total)


def _decision_states() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The nomination states of a recognition, of a decision without one, and those out of
    contention (neither undecided nor decided: withdrawn, ineligible, declined; drafts have
    no scores)."""
    definition = definition_for(Nomination)
    recognition = definition.states_tagged("recognition")
    outcome = definition.states_tagged("outcome")
    contending = {
        *definition.states_tagged("undecided"),
        *outcome,
        *definition.states_tagged("unsubmitted"),
    }
    refused = tuple(s for s in outcome if s not in recognition)
    out = tuple(s for s in definition.states if s not in contending)
    return recognition, refused, out


@dataclass
class Facts:
    recognised: frozenset[int]
    refused: frozenset[int]
    excluded: frozenset[int]
    #: nomination id -> the nominee's name for the reader; reviewer id -> name.
    names: dict[int, str]
    people: dict[int, str]


def read_facts(
    call,
    nominations: AbstractSet[int] = frozenset(),
    reviewers: AbstractSet[int] = frozenset(),
    *,
    decisions: bool = True,
) -> Facts:
    """The call's decided and excluded nominations (``decisions``: thousands of rows in a
    large call, kept while nothing is written), and in one statement the names of the given
    nominations and reviewers."""
    found = Facts(frozenset(), frozenset(), frozenset(), {}, {})
    if decisions:
        found.recognised, found.refused, found.excluded = kept_read(
            ("call decisions", call.id), lambda: _decisions(call.id)
        )
    if not nominations and not reviewers:
        return found
    named = (
        sa.select(
            sa.literal_column("'n'").label("kind"),
            Nomination.id,
            City.name,
            Nominee.names,
            Nominee.source_language,
        )
        .join(Nominee, Nominee.id == Nomination.nominee_id)
        .outerjoin(City, City.id == Nominee.city_id)
        .where(Nomination.call_id == call.id, Nomination.id.in_(sorted(nominations)))
    )
    people = sa.select(sa.literal_column("'u'"), User.id, User.name, sa.null(), sa.null()).where(
        User.id.in_(sorted(reviewers))
    )
    language = current_language()
    for kind, row_id, name, texts, source in db.session.execute(sa.union_all(named, people)):
        if kind == "u":
            found.people[row_id] = name
        else:
            found.names[row_id] = name or str(pick(texts, source or "en", language))
    return found


def _decisions(call_id: int) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """The call's recognised, refused and excluded nominations."""
    recognition, refusal, excluded = _decision_states()
    recognised: set[int] = set()
    refused: set[int] = set()
    out: set[int] = set()
    rows = db.session.execute(
        sa.select(Nomination.id, Nomination.state).where(
            Nomination.call_id == call_id,
            Nomination.state.in_([*recognition, *refusal, *excluded]),
        )
    )
    for row_id, state in rows:
        if state in recognition:
            recognised.add(row_id)
        elif state in refusal:
            refused.add(row_id)
        else:
            out.add(row_id)
    return frozenset(recognised), frozenset(refused), frozenset(out)


@dataclass(frozen=True)
class Shown:
    """What a page shows of a verdict: at most LIMIT rows of each kind, the most fragile
    first, and how many are left out. Of the bootstrap's shares, all when they are few, else
    those below every resample."""

    hinges: tuple[Hinge, ...]
    single: tuple[Single, ...]
    shares: tuple[Share, ...]
    more_hinges: int
    more_single: int
    more_shares: int
    #: The shares left out are all kept in every resample.
    rest_always_kept: bool

    @property
    def nominations(self) -> set[int]:
        return {x.nomination_id for x in (*self.hinges, *self.single, *self.shares)}

    @property
    def reviewers(self) -> set[int]:
        return {x.reviewer_id for x in (*self.hinges, *self.single)}


def shown(verdict: Verdict) -> Shown:
    shares = verdict.shares
    if len(shares) > LIMIT:
        shares = tuple(s for s in shares if s.share < 1)[:LIMIT]
    rest = verdict.shares[len(shares) :]  # lowest first: what is left out follows
    return Shown(
        verdict.hinges[:LIMIT],
        verdict.single[:LIMIT],
        shares,
        max(0, len(verdict.hinges) - LIMIT),
        max(0, len(verdict.single) - LIMIT),
        len(rest),
        all(s.share >= 1 for s in rest),
    )


def outcome_of(call, round_: Round, facts: Facts) -> Outcome:
    """What the round decides, with the call's decisions as ``facts`` has them."""
    return Outcome(
        outcome_kind(round_.rubric),
        places_of(call),
        facts.recognised,
        facts.refused,
        facts.excluded,
    )


def stamp_of(generation: int, outcome: Outcome) -> str:
    """What a verdict is computed from: the round's kept generation and the outcome at stake
    (the places and the decisions), as a short digest."""
    at_stake = [outcome.kind, outcome.places]
    at_stake += [sorted(outcome.recognised), sorted(outcome.refused), sorted(outcome.excluded)]
    digest = hashlib.sha256(json.dumps(at_stake).encode()).hexdigest()[:32]
    return f"{generation}:{digest}"


def _compute(call, round_: Round, outcome: Outcome) -> Verdict | None:
    rows = submitted_scores(call.id, round_id=round_.id)
    return assess(rows, round_.rubric, outcome) if rows else None


def _read(call, round_: Round) -> tuple[str, Outcome]:
    generation = round_generation(call, round_.id, fresh=True)
    outcome = outcome_of(call, round_, read_facts(call))
    return stamp_of(generation, outcome), outcome


ROBUSTNESS = analyses.kind("robustness", Verdict | None, _compute, _read)


def verdict_for(
    call, round_: Round, *, fresh: bool = False
) -> tuple[analyses.Kept[Verdict], Facts]:
    """The round's verdict (its value None: no scores, or not computed yet), and the facts
    to show it with. ``fresh``: weighed now unless the kept one is current."""
    before = analyses.held(ROBUSTNESS, call, round_)
    part = shown(before.value) if before is not None and before.value is not None else None
    facts = read_facts(call, part.nominations if part else set(), part.reviewers if part else set())
    outcome = outcome_of(call, round_, facts)
    stamp = stamp_of(round_generation(call, round_.id), outcome)
    found = analyses.kept(ROBUSTNESS, call, round_, stamp, outcome, fresh=fresh)
    if found.value is not None:
        now = shown(found.value)
        nominations = now.nominations - facts.names.keys()
        reviewers = now.reviewers - facts.people.keys()
        if nominations or reviewers:
            more = read_facts(call, nominations, reviewers, decisions=False)
            facts.names.update(more.names)
            facts.people.update(more.people)
    return found, facts


def decisive_round(call) -> Round | None:
    """The round the decisions rest on: the last of the programme's rounds with submitted
    reviews in the call."""
    scored = set(
        db.session.scalars(
            sa.select(Assignment.round)
            .join(Nomination, Nomination.id == Assignment.nomination_id)
            .where(Nomination.call_id == call.id, tagged(Assignment, "counted"))
            .distinct()
        )
    )
    return next((r for r in reversed(call.programme.rounds) if r.id in scored), None)
