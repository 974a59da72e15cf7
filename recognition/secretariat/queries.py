"""The dashboard's and ranking's queries: a bounded number per page, whatever the size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, request

from ..accounts.models import City, User
from ..extensions import db
from ..i18n import current_language
from ..localized import pick
from ..nominations.models import Nomination
from ..nominees.models import Nominee
from ..review.aggregation import NominationResult
from ..review.kept import bring_normalised_up_to_date, ensure_kept, ensure_loads, results_for
from ..review.models import Assignment, NominationScores, ReviewerLoad
from ..timeutil import utcnow
from ..web import MAX_ID, Page, page_number, paginate
from ..workflow.history import WorkflowEvent
from ..workflow.registry import definition_for, states_tagged, tagged
from ..workflow.worklists import kept_read


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


def review_progress_page(call_id: int, counts: dict[str, int]) -> Page:
    """One page of the nominations in review, by the nominee's name (a city's, or another
    nominee's in the reader's language), with (submitted, expected) review counts: one
    statement whatever the size of the call (the counts are correlated subqueries,
    evaluated for the page's rows only); ``counts`` are the call's by state
    (``counts_by_state``), which say how many there are."""

    def reviews(tag: str) -> Any:
        return (
            sa.select(sa.func.count())
            .where(Assignment.nomination_id == Nomination.id, tagged(Assignment, tag))
            .correlate(Nomination)
            .scalar_subquery()
        )

    language = current_language()

    def read() -> Page:
        page = paginate(
            sa.select(
                Nomination.id,
                City.name,
                Nominee.names,
                Nominee.source_language,
                Nomination.state,
                reviews("counted").label("reviews_in"),
                reviews("live").label("expected"),
            )
            .join(Nominee, Nominee.id == Nomination.nominee_id)
            .outerjoin(City, City.id == Nominee.city_id)
            .where(Nomination.call_id == call_id, tagged(Nomination, "in_review"))
            .order_by(sa.func.lower(sa.func.coalesce(City.name, Nominee.key)), Nomination.id),
            scalars=False,
            total=sum(counts.get(state, 0) for state in states_tagged(Nomination, "in_review")),
        )
        page.items = [
            (i, city or str(pick(names, source, language)), state, submitted, expected)
            for i, city, names, source, state, submitted, expected in page.items
        ]
        return page

    # Sorting every nomination in review by name is the dashboard's dearest read: kept
    # while nothing is written, per page asked and language.
    return kept_read(("review progress", call_id, request.args.get("page"), language), read)


def reviewer_progress_page(call_id: int) -> Page:
    """The call's reviewers with submitted and live counts, those with most outstanding
    first, a page of them: read from the kept loads (two indexed queries)."""
    ensure_loads(call_id, commit=True)
    outstanding = ReviewerLoad.live - ReviewerLoad.counted
    return paginate(
        sa.select(
            User.id,
            User.name,
            User.email,
            ReviewerLoad.counted.label("reviews_in"),
            ReviewerLoad.live.label("expected"),
        )
        .join(ReviewerLoad, ReviewerLoad.reviewer_id == User.id)
        .where(ReviewerLoad.call_id == call_id)
        .order_by(outstanding.desc(), User.name, User.id),
        scalars=False,
        arg="rpage",
    )


def disagreements(call, round_id: str | None = None, limit: int = 20) -> tuple[int, list]:
    """Nominations where submitted scores for a criterion in a round (the first by default)
    differ by more than the threshold, from the kept aggregates' flag: how many, and the
    first ``limit`` as (id, nominee's name for the reader), in one indexed query."""
    round_ = call.programme.round(round_id)
    ensure_kept(call, round_.id, commit=True)
    flagged = (
        NominationScores.call_id == call.id,
        NominationScores.round == round_.id,
        NominationScores.disagreement.is_(True),
    )
    # Counted apart from the rows (evaluated once, from the index): only the rows listed
    # are joined to their nominees.
    total = sa.select(sa.func.count()).select_from(NominationScores).where(*flagged)
    language = current_language()
    return kept_read(
        ("disagreements", call.id, round_.id, limit, language),
        lambda: _disagreements(flagged, total, limit, language),
    )


def _disagreements(flagged, total, limit: int, language: str) -> tuple[int, list]:
    rows = db.session.execute(
        sa.select(
            NominationScores.nomination_id,
            City.name,
            Nominee.names,
            Nominee.source_language,
            total.scalar_subquery(),
        )
        .join(Nomination, Nomination.id == NominationScores.nomination_id)
        .join(Nominee, Nominee.id == Nomination.nominee_id)
        .outerjoin(City, City.id == Nominee.city_id)
        .where(*flagged)
        .order_by(NominationScores.nomination_id)
        .limit(limit)
    ).all()
    named = [(i, city or str(pick(names, source, language))) for i, city, names, source, _n in rows]
    return (rows[0][-1] if rows else 0), named


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


@dataclass
class Ranked:
    """A ranking's rows as statements: ``rows`` filtered, ``by_country`` the same but for
    the country (the filter's choices and counts), ``country`` its expression; ``whole``
    when ``by_country`` holds every nomination the call ranks (no filter of state, flag or
    round): its countries are then the filter's choices."""

    rows: Any
    by_country: Any
    country: Any
    whole: bool


def _ranked(call, round_, state, country, disagreement) -> Ranked:
    """The nominations that entered the round, filtered, with their kept aggregate."""
    country_of = sa.func.coalesce(City.country, Nominee.country)
    stmt = (
        sa.select(
            Nomination.id,
            City.name,
            Nominee.names,
            Nominee.source_language,
            country_of.label("country"),
            Nomination.state,
        )
        .join(Nominee, Nominee.id == Nomination.nominee_id)
        .outerjoin(City, City.id == Nominee.city_id)
        .outerjoin(
            NominationScores,
            sa.and_(
                NominationScores.nomination_id == Nomination.id,
                NominationScores.round == round_.id,
                # Said again for the database: the index to read the best along.
                NominationScores.call_id == call.id,
            ),
        )
        .where(Nomination.call_id == call.id, ~tagged(Nomination, "unsubmitted"))
    )
    later_round = bool(round_.states) and round_ is not call.programme.rounds[0]
    if later_round:
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
    if disagreement:
        stmt = stmt.where(NominationScores.disagreement.is_(True))
    by_country = stmt
    if country:
        stmt = stmt.where(country_of == country.upper())
    whole = not (later_round or state or disagreement)
    return Ranked(stmt, by_country, country_of, whole)


def _sort_column(sort: str):
    """The kept value a ranking sorts by (the weighted total unless another is asked)."""
    if sort == "normalised":
        return NominationScores.normalised_total
    if sort.startswith("c:"):
        return NominationScores.means[sort[2:]].as_float()
    return NominationScores.weighted_total


def _order(sort: str):
    """ORDER BY for a ranking sort: highest first, unscored last, then by id."""
    if sort == "name":
        return (sa.func.lower(sa.func.coalesce(City.name, Nominee.key)), Nomination.id)
    if sort == "normalised":
        column = NominationScores.normalised_total
    elif sort.startswith("c:"):
        column = NominationScores.means[sort[2:]].as_float()
    else:
        column = NominationScores.weighted_total
    return (sa.case((column.is_(None), 1), else_=0), column.desc(), Nomination.id)


@dataclass
class Ranking:
    page: Page
    countries: list[str]


def ranking_page(
    call,
    sort: str = "total",
    state: str | None = None,
    country: str | None = None,
    disagreement: bool = False,
    round_id: str | None = None,
) -> Ranking:
    """One page of the nominations that entered the round (the first by default), sorted in
    the database on the kept aggregates; the page's rows carry their full result, computed
    from their own scores and the kept moments. A bounded number of queries, whatever the
    size of the call."""
    round_ = call.programme.round(round_id)
    ensure_kept(call, round_.id, commit=True)
    if sort == "normalised":
        bring_normalised_up_to_date(call, round_.id)
    ranked = _ranked(call, round_, state, country, disagreement)
    counted: dict[str | None, tuple[int, int]] | None = None
    if sort == "name":
        page = paginate(ranked.rows.order_by(*_order(sort)), scalars=False)
    else:
        column = _sort_column(sort)
        # Counted by country in one read, kept while nothing is written: any country the
        # filter picks is counted with it, and the unfiltered read names the countries.
        key = ("ranking", call.id, round_.id, sort, state, disagreement)
        counted = kept_read(key, lambda: _count_by_country(ranked, column))
        if country:
            total, scored = counted.get(country.upper(), (0, 0))
        else:
            total, scored = map(sum, zip(*counted.values(), strict=True)) if counted else (0, 0)
        page = _best_first(
            ranked.rows.add_columns(column.label("sort_value")), column, total, scored
        )
    results = results_for(call, round_.id, [row[0] for row in page.items])
    language = current_language()
    page.items = [
        RankingRow(i, city or str(pick(names, source, language)), c or "", s, results.get(i))
        for i, city, names, source, c, s in page.items
    ]

    def countries() -> list[str]:
        if counted is not None and ranked.whole:
            return sorted(c for c in counted if c)
        listed = (
            sa.select(ranked.country)
            .select_from(Nomination)
            .join(Nominee, Nominee.id == Nomination.nominee_id)
            .outerjoin(City, City.id == Nominee.city_id)
            .where(Nomination.call_id == call.id, ~tagged(Nomination, "unsubmitted"))
            .distinct()
        )
        return sorted(c for c in db.session.scalars(listed) if c)

    return Ranking(page, kept_read(("ranking countries", call.id), countries))


def _count_by_country(ranked: Ranked, column) -> dict[str | None, tuple[int, int]]:
    """How many rows the ranking has (and how many with a value to sort by), by country: one
    read of the call's rows."""
    rows = ranked.by_country.add_columns(column.label("sort_value")).subquery()
    counted = sa.select(rows.c.country, sa.func.count(), sa.func.count(rows.c.sort_value))
    return {
        code: (total, scored)
        for code, total, scored in db.session.execute(counted.group_by(rows.c.country))
    }


def _best_first(stmt, column, total: int, scored: int) -> Page:
    """A page of ``stmt`` by ``column``, highest first (then by id), those without a value
    last (by id), of ``total`` rows of which ``scored`` have a value. The rows with a value
    are read along the kept aggregates' index and stop at the page, those without only when
    the page reaches them: two reads, whatever the page."""
    per_page = current_app.config["RECOGNITION_PAGE_SIZE"]
    number = page_number(total, per_page, "page")
    offset = (number - 1) * per_page
    # Both reads run whatever the page (the same queries at any size): one past its rows
    # asks for none (LIMIT 0), which the database answers without reading.
    rows = db.session.execute(
        stmt.where(column.is_not(None))
        .order_by(column.desc(), Nomination.id)
        .limit(max(0, min(per_page, scored - offset)))
        .offset(min(offset, scored))
    ).all()
    rows += db.session.execute(
        stmt.where(column.is_(None))
        .order_by(Nomination.id)
        .limit(per_page - len(rows))
        .offset(max(0, offset - scored))
    ).all()
    return Page([row[:-1] for row in rows], number, per_page, total)


def best_in_round(call, round_, limit: int | None, states: list[str]) -> list[int]:
    """The ids of the round's best (weighted total) among nominations in ``states``."""
    if limit == 0 or not states:
        return []
    stmt = _ranked(call, round_, None, None, False).rows
    stmt = stmt.with_only_columns(Nomination.id).where(Nomination.state.in_(states))
    return list(db.session.scalars(stmt.order_by(*_order("total")).limit(limit)))
