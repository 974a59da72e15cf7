"""Queries of public data: only announced nominations and announced calls.

Every list is one statement whatever the data size: filters are SQL conditions, the number of
recognised cities per call is counted by the database, and the choices offered by the
directory's filters come from one query each.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from babel import Locale
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import contains_eager

from ..accounts.models import City
from ..extensions import db
from ..i18n import country_name
from ..nominations.models import Attachment, Nomination
from ..nominees.models import Nominee, name_key
from ..programmes.models import Call
from ..stages.queries import city_at_stage
from ..workflow.registry import tagged

#: The recognised nominee's country: its city's, or the organisation's or person's.
NOMINEE_COUNTRY = sa.func.coalesce(City.country, Nominee.country)
#: Recognitions sorted by who is recognised: a city's name, else the nominee's key.
NOMINEE_ORDER = sa.func.coalesce(sa.func.lower(City.name), Nominee.key)


def announced_nominations():
    """Public nominations of public calls (their workflows' ``public`` tag), with their call
    and city (None when the nominee is an organisation or a person).

    Both are required: a nomination is public only once its call is announced, even if a
    transition published it on its own.
    """
    return (
        sa.select(Nomination, Call, City)
        .join(Call, Call.id == Nomination.call_id)
        .join(Nominee, Nominee.id == Nomination.nominee_id)
        .outerjoin(City, City.id == Nomination.city_id)
        .where(tagged(Nomination, "public"), tagged(Call, "public"))
        # The joins above fill the nomination's call, nominee and city: no second join.
        .options(
            contains_eager(Nomination.call),
            contains_eager(Nomination.city),
            contains_eager(Nomination.nominee).contains_eager(Nominee.city),
        )
    )


def announced_calls():
    return sa.select(Call).where(tagged(Call, "public"), Call.announced_at.is_not(None))


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory of recognised cities is narrowed to; None or "": everything."""

    programme: str | None = None
    year: str | None = None
    country: str | None = None
    region: str | None = None
    essential: int | None = None
    text: str = ""
    #: A confirmed Making Cities Resilient 2030 stage (its state id in city_stage.yaml).
    stage: str | None = None

    @property
    def active(self) -> bool:
        return any(
            (self.programme, self.year, self.country, self.region, self.essential, self.text)
        ) or bool(self.stage)


def has_essential(number: int):
    """SQL condition: the nomination's areas of strength (a JSON list) include ``number``."""
    column = Nomination.areas_of_strength
    if db.session.get_bind().dialect.name == "sqlite":
        each = sa.func.json_each(column).table_valued("value")
        return sa.exists(sa.select(1).select_from(each).where(each.c.value == number))
    return sa.cast(column, JSONB).contains([number])


def countries_named(text: str) -> set[str]:
    """Codes of the countries whose name contains ``text`` (any case): the name the reader
    sees (``country_name``, in the reader's language) or the English one."""
    needle = text.casefold()
    english = Locale.parse("en").territories
    return {
        code
        for code, name in english.items()
        if len(code) == 2
        and code.isalpha()
        and (needle in name.casefold() or needle in country_name(code).casefold())
    }


def directory(filters: DirectoryFilters):
    """The announced recognitions narrowed by ``filters``; the text is looked for in the
    city's name and region, the nominee's name and the country's name."""
    stmt = announced_nominations()
    if filters.programme:
        stmt = stmt.where(Call.programme_id == filters.programme)
    if filters.year:
        stmt = stmt.where(Call.cycle == filters.year)
    if filters.country:
        stmt = stmt.where(filters.country == NOMINEE_COUNTRY)
    if filters.region:
        stmt = stmt.where(City.region == filters.region)
    if filters.essential is not None:
        stmt = stmt.where(has_essential(filters.essential))
    if filters.stage:
        stmt = stmt.where(city_at_stage(filters.stage))
    if filters.text:
        matches = [
            City.name.icontains(filters.text, autoescape=True),
            City.region.icontains(filters.text, autoescape=True),
        ]
        if key := name_key(filters.text):
            matches.append(Nominee.key.contains(key, autoescape=True))
        codes = countries_named(filters.text)
        if codes:
            matches.append(NOMINEE_COUNTRY.in_(sorted(codes)))
        stmt = stmt.where(sa.or_(*matches))
    return stmt.order_by(Call.cycle.desc(), Call.programme_id, NOMINEE_ORDER, Nomination.id)


def _announced_ids():
    """The ids of the public nominations of public calls, for the filters' choices."""
    return (
        sa.select(Nomination.id)
        .join(Call, Call.id == Nomination.call_id)
        .where(tagged(Nomination, "public"), tagged(Call, "public"))
    )


def recognised_years() -> list[str]:
    """The cycles of the announced calls, newest first."""
    return list(
        db.session.scalars(
            sa.select(Call.cycle)
            .where(tagged(Call, "public"))
            .distinct()
            .order_by(Call.cycle.desc())
        )
    )


def recognised_countries() -> list[str]:
    """The countries (codes) of the nominees with an announced recognition."""
    return [
        code
        for code in db.session.scalars(
            sa.select(NOMINEE_COUNTRY)
            .select_from(Nomination)
            .join(Nominee, Nominee.id == Nomination.nominee_id)
            .outerjoin(City, City.id == Nomination.city_id)
            .where(Nomination.id.in_(_announced_ids()))
            .distinct()
        )
        if code
    ]


def recognised_regions(country: str | None = None) -> list[str]:
    """The regions named by the cities with an announced recognition (in ``country``)."""
    stmt = (
        sa.select(City.region)
        .join(Nomination, Nomination.city_id == City.id)
        .where(Nomination.id.in_(_announced_ids()), City.region != "")
        .distinct()
    )
    if country:
        stmt = stmt.where(City.country == country)
    return sorted(db.session.scalars(stmt), key=str.casefold)


def announcements(programme: str | None = None, year: str | None = None):
    """The announced calls, newest first, each with the number of cities it recognised:
    rows of (call, count)."""
    counts = (
        sa.select(Nomination.call_id, sa.func.count().label("cities"))
        .where(tagged(Nomination, "public"))
        .group_by(Nomination.call_id)
        .subquery()
    )
    stmt = (
        sa.select(Call, sa.func.coalesce(counts.c.cities, 0))
        .outerjoin(counts, counts.c.call_id == Call.id)
        .where(tagged(Call, "public"), Call.announced_at.is_not(None))
    )
    if programme:
        stmt = stmt.where(Call.programme_id == programme)
    if year:
        stmt = stmt.where(Call.cycle == year)
    return stmt.order_by(Call.announced_at.desc(), Call.id.desc())


def public_files(
    nominations: Collection[Nomination], public_inputs: Collection[str]
) -> dict[int, dict[str, list[Attachment]]]:
    """The files of the ``public_inputs`` of announced ``nominations``, by nomination and
    input, in one query (none when no input may hold a public file)."""
    grouped: dict[int, dict[str, list[Attachment]]] = {}
    if not nominations or not public_inputs:
        return grouped
    stmt = (
        sa.select(Attachment)
        .where(
            Attachment.nomination_id.in_([n.id for n in nominations]),
            Attachment.field.in_(sorted(public_inputs)),
        )
        .order_by(Attachment.id)
    )
    for attachment in db.session.scalars(stmt):
        grouped.setdefault(attachment.nomination_id, {}).setdefault(attachment.field, []).append(
            attachment
        )
    return grouped
