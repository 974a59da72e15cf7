"""Review rounds (programmes/*.yaml ``rounds``): which round a nomination is in, how many
places a round has, its deadline and its jury.

A round is a set of nomination states (the workflow's): a nomination is in the round while
it is in one of them, and enters the next round by the transition the round names
(``via``). The rule ``enters_round`` guards those transitions: the programme must have the
round, and the round a place left (``enters: {top: N}`` or
``{top_percent: X}`` of those who entered the round before), counted under the call's row
lock so that two officers advancing at once never exceed it.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from sqlalchemy.orm import joinedload, lazyload

from ..accounts.models import User
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext
from ..nominations.models import Nomination
from ..programmes.definition import Programme, Round
from ..workflow.guards import guard
from ..workflow.history import WorkflowEvent
from ..workflow.registry import definition_check, definition_for, registry
from ..workflow.security import remembered
from ..workflow.worklists import kept_read
from .models import Assignment, CallRound, Juror


def round_in_state(programme: Programme, state: str) -> Round | None:
    """The round of a nomination in ``state`` (None before screening ends or once decided)."""
    found = programme.round_in(state)
    # A programme without rounds: one round, over every state where reviews are done.
    if (
        found is None
        and not programme.rounds[0].states
        and state in definition_for(Nomination).states_tagged("in_review")
    ):
        return programme.rounds[0]
    return found


def round_of(nomination: Nomination) -> Round | None:
    """The round the nomination is in now (None before screening ends or once decided)."""
    return round_in_state(nomination.programme, nomination.state)


def rounds_reached(nomination: Nomination) -> list[Round]:
    """The rounds the nomination has been in, in order: those up to its current one, or,
    once decided, every round whose states its history passed through."""
    programme = nomination.programme
    current = round_of(nomination)
    if current is not None:
        ids = [r.id for r in programme.rounds]
        return list(programme.rounds[: ids.index(current.id) + 1])
    visited = set(
        db.session.scalars(
            sa.select(WorkflowEvent.to_state).where(
                WorkflowEvent.object_type == definition_for(Nomination).applies_to,
                WorkflowEvent.object_id == nomination.id,
            )
        )
    )
    return [r for r in programme.rounds if not r.states or visited & set(r.states)]


def assignments_of(nomination: Nomination) -> list[Assignment]:
    """The nomination's assignments in every round, oldest first, read once per request
    (forgotten after a transition, with the role answers): the review panel, the decision
    panel and the rounds asked share them."""
    return remembered(
        ("assignments_of", nomination.id),
        lambda: list(
            db.session.scalars(
                sa.select(Assignment)
                .where(Assignment.nomination_id == nomination.id)
                .options(
                    joinedload(Assignment.reviewer).lazyload(User.role_rows),
                    # Their nomination is the one in hand: found in the session, not joined.
                    lazyload(Assignment.nomination),
                )
                .order_by(Assignment.id)
            )
        ),
    )


def rounds_asked(nomination: Nomination) -> frozenset[str]:
    """The rounds in which reviewers were asked about the nomination."""
    return frozenset(a.round for a in assignments_of(nomination))


def last_scored_round(nomination: Nomination) -> Round:
    """The latest round the nomination reached in which reviewers were asked: the round whose
    reviews a decision rests on (a round without reviews, such as a shortlist the
    secretariat draws up, leaves the round before it in force). Remembered for the request:
    a nomination's page asks from several panels."""
    memo = g.setdefault("last_scored_round", {}) if has_app_context() else {}
    key = (nomination.id, nomination.state)
    if key not in memo:
        memo[key] = _last_scored_round(nomination)
    return memo[key]


def _last_scored_round(nomination: Nomination) -> Round:
    asked = rounds_asked(nomination)
    reached = rounds_reached(nomination) or [nomination.programme.rounds[0]]
    return next((r for r in reversed(reached) if r.id in asked), reached[-1])


def previous_round(programme: Programme, round_: Round) -> Round | None:
    ids = [r.id for r in programme.rounds]
    index = ids.index(round_.id)
    return programme.rounds[index - 1] if index > 0 else None


def entered(call_id: int, round_: Round) -> int:
    """How many of the call's nominations have entered the round (its history passed into
    one of the round's states), whatever happened to them since."""
    return db.session.scalar(sa.select(_entered(call_id, round_))) or 0


def entered_each(call_id: int, rounds: list[Round]) -> dict[str, int]:
    """``entered`` for each of the rounds, in one statement."""
    if not rounds:
        return {}

    def read() -> dict[str, int]:
        counts = db.session.execute(sa.select(*(_entered(call_id, r) for r in rounds))).one()
        return {r.id: n or 0 for r, n in zip(rounds, counts, strict=True)}

    # Counting the history of every nomination of the call: kept while nothing is written.
    return dict(kept_read(("entered", call_id, tuple(r.id for r in rounds)), read))


def _entered(call_id: int, round_: Round) -> Any:
    return (
        sa.select(sa.func.count(sa.distinct(WorkflowEvent.object_id)))
        .where(
            WorkflowEvent.object_type == definition_for(Nomination).applies_to,
            WorkflowEvent.to_state.in_(round_.states),
            WorkflowEvent.object_id.in_(
                sa.select(Nomination.id).where(Nomination.call_id == call_id)
            ),
        )
        .scalar_subquery()
    )


def places(call, round_: Round, entered_counts: dict[str, int] | None = None) -> int | None:
    """How many nominations the round takes (None: as many as the secretariat selects);
    ``entered_counts`` (``entered_each``) spares a query."""
    if round_.enters == "top":
        return int(round_.enters_count or 0)
    if round_.enters == "top_percent":
        before = previous_round(call.programme, round_)
        if before is None:
            return None
        if entered_counts is not None and before.id in entered_counts:
            came = entered_counts[before.id]
        else:
            came = entered(call.id, before)
        return math.ceil(came * float(round_.enters_count or 0) / 100)
    return None


def round_via(programme: Programme, transition: str) -> Round | None:
    return next((r for r in programme.rounds if r.via == transition), None)


@guard(
    "enters_round",
    _l("the programme has this round, and it has a place left"),
    locks=lambda nomination: nomination.call,
)
def enters_round(nomination, actor, data):
    """The transition takes the nomination into one of its programme's rounds, which must
    have a place left."""
    programme = nomination.programme
    target = round_via(programme, data.get("transition", ""))
    if target is None:
        return _l("The programme “%(programme)s” has no such round.", programme=_l(programme.title))
    limit = places(nomination.call, target)
    if limit is not None and entered(nomination.call_id, target) >= limit:
        return lazy_ngettext(
            "The round “%(round)s” takes %(num)d nomination, and it is taken.",
            "The round “%(round)s” takes %(num)d nominations, and they are taken.",
            limit,
            round=_l(target.title),
        )
    return None


def review_deadline(call, round_id: str) -> datetime:
    """The round's review deadline in the call: its own when set, else the call's."""
    own = db.session.get(CallRound, (call.id, round_id))
    return own.review_deadline if own and own.review_deadline else call.review_deadline


def jurors(call_id: int, round_id: str) -> list:
    """The users on the call's jury for the round."""
    return [
        j.user
        for j in db.session.scalars(
            sa.select(Juror).where(Juror.call_id == call_id, Juror.round == round_id)
        )
    ]


@definition_check
def check_programme_rounds() -> list[tuple[str, str, str]]:
    """Every round names states of the nomination workflow where reviews are done, and the
    round after the first a transition into its state."""
    definition = registry().get(Nomination.__workflow__)
    reviewing = set(definition.states_tagged("in_review"))
    found = []
    for programme in current_app.extensions["programmes"].values():
        claimed: set[str] = set()
        for index, round_ in enumerate(programme.rounds):
            key = f"rounds[{index}]"
            for state in round_.states:
                if state not in definition.states:
                    found.append((programme.source, f"{key}.state", f"unknown state {state!r}"))
                elif state not in reviewing:
                    found.append(
                        (programme.source, f"{key}.state", f"{state!r} is not tagged in_review")
                    )
                if state in claimed:
                    found.append((programme.source, f"{key}.state", "already another round's"))
                claimed.add(state)
            if round_.via is None:
                continue
            transition = definition.transitions.get(round_.via)
            if transition is None:
                found.append((programme.source, f"{key}.via", f"unknown transition {round_.via!r}"))
            elif transition.dest not in round_.states:
                found.append(
                    (programme.source, f"{key}.via", f"{round_.via!r} does not lead to the round")
                )
            elif not any(rule.name == "enters_round" for rule in transition.guard.when):
                found.append(
                    (
                        programme.source,
                        f"{key}.via",
                        f"{round_.via!r} must have the rule enters_round",
                    )
                )
    return found
