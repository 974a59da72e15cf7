"""The dashboard's and ranking's queries: a bounded number per page, whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..accounts.models import City, User
from ..extensions import db
from ..i18n import current_language
from ..localized import pick
from ..nominations.models import Nomination
from ..nominees.models import Nominee
from ..review.aggregation import NominationResult, aggregate_call
from ..review.models import Assignment, Score
from ..timeutil import utcnow
from ..web import MAX_ID
from ..workflow.history import WorkflowEvent
from ..workflow.registry import definition_for, tagged


def parse_id(value: str | None) -> int | None:
    """A row id typed or sent by a browser, or None when it cannot be one.

    Out-of-range numbers would make PostgreSQL refuse the whole query (a 500), not just
    match nothing.
    """
    value = (value or "").strip()
    if not value.isdecimal() or not value.isascii():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def counts_by_state(call_id: int) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(Nomination.state, sa.func.count())
            .where(Nomination.call_id == call_id)
            .group_by(Nomination.state)
        ).all()
    )


def review_progress_stmt(call_id: int):
    """Nominations in review with (submitted, expected) review counts, as one SELECT."""
    submitted = sa.func.count(Assignment.id).filter(tagged(Assignment, "counted"))
    expected = sa.func.count(Assignment.id).filter(tagged(Assignment, "live"))
    return (
        sa.select(
            Nomination.id,
            City.name,
            Nomination.state,
            submitted.label("reviews_in"),
            expected.label("expected"),
        )
        .join(City, City.id == Nomination.city_id)
        .outerjoin(Assignment, Assignment.nomination_id == Nomination.id)
        .where(Nomination.call_id == call_id, tagged(Nomination, "in_review"))
        .group_by(Nomination.id, City.name, Nomination.state)
        .order_by(City.name, Nomination.id)
    )


def reviewer_progress_stmt(call_id: int):
    """Reviewers of the call with submitted / live counts and outstanding ones."""
    submitted = sa.func.count(Assignment.id).filter(tagged(Assignment, "counted"))
    live = sa.func.count(Assignment.id).filter(tagged(Assignment, "live"))
    return (
        sa.select(
            User.id, User.name, User.email, submitted.label("reviews_in"), live.label("expected")
        )
        .join(Assignment, Assignment.reviewer_id == User.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.call_id == call_id)
        .group_by(User.id, User.name, User.email)
        .order_by((live - submitted).desc(), User.name)
    )


def disagreement_ids(call, round_id: str | None = None) -> list[int]:
    """Nominations where submitted scores for a criterion in a round (the first by default)
    differ by more than the threshold.

    Computed in the database (max - min per nomination and criterion), so the dashboard
    stays fast on large calls.
    """
    spread = sa.func.max(Score.value) - sa.func.min(Score.value)
    per_criterion = (
        sa.select(Assignment.nomination_id)
        .join(Score, Score.assignment_id == Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(
            Nomination.call_id == call.id,
            Assignment.round == call.programme.round(round_id).id,
            tagged(Assignment, "counted"),
            Score.value.is_not(None),
        )
        .group_by(Assignment.nomination_id, Score.criterion)
        .having(spread > call.disagreement_threshold)
    )
    return sorted(set(db.session.scalars(per_criterion)))


def nominee_names(nomination_ids: list[int]) -> dict[int, str]:
    """The nominee's name of each nomination, for the reader (one query)."""
    rows = db.session.execute(
        sa.select(Nomination.id, City.name, Nominee.names, Nominee.source_language)
        .join(Nominee, Nominee.id == Nomination.nominee_id)
        .outerjoin(City, City.id == Nominee.city_id)
        .where(Nomination.id.in_(nomination_ids or [-1]))
    )
    return {i: city or str(pick(names, source)) for i, city, names, source in rows}


def overdue(call) -> bool:
    return utcnow() > call.review_deadline


@dataclass
class RankingRow:
    nomination_id: int
    name: str
    country: str
    state: str
    result: NominationResult | None

    def key(self, name: str) -> Any:
        r = self.result
        if name == "name":
            return self.name.casefold()
        if name == "normalised":
            return r.normalised_total if r and r.normalised_total is not None else -1
        if name.startswith("c:"):
            c = r.criteria.get(name[2:]) if r else None
            return c.mean if c and c.mean is not None else -1
        return r.weighted_total if r and r.weighted_total is not None else -1


def ranking_rows(
    call,
    state: str | None = None,
    country: str | None = None,
    disagreement: bool = False,
    round_id: str | None = None,
) -> list[RankingRow]:
    """Every nomination of the call that entered the round (the first by default), with its
    aggregate in that round (three queries)."""
    round_ = call.programme.round(round_id)
    country_of = sa.func.coalesce(City.country, Nominee.country)
    stmt = (
        sa.select(
            Nomination.id,
            City.name,
            Nominee.names,
            Nominee.source_language,
            country_of,
            Nomination.state,
        )
        .join(Nominee, Nominee.id == Nomination.nominee_id)
        .outerjoin(City, City.id == Nominee.city_id)
        .where(Nomination.call_id == call.id, ~tagged(Nomination, "unsubmitted"))
    )
    if round_.states and round_ is not call.programme.rounds[0]:
        stmt = stmt.where(
            Nomination.id.in_(
                sa.select(WorkflowEvent.object_id).where(
                    WorkflowEvent.object_type == definition_for(Nomination).applies_to,
                    WorkflowEvent.to_state.in_(round_.states),
                )
            )
        )
    if state:
        stmt = stmt.where(Nomination.state == state)
    if country:
        stmt = stmt.where(country_of == country.upper())
    results = aggregate_call(call, round_.id)
    language = current_language()
    rows = [
        RankingRow(i, city or str(pick(names, source, language)), c or "", s, results.get(i))
        for i, city, names, source, c, s in db.session.execute(stmt)
    ]
    if disagreement:
        rows = [r for r in rows if r.result and r.result.disagreement]
    return rows
