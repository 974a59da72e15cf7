"""Queries of partners: the public directory and its filters, names in any language.

Names are kept per language in a JSON column; the conditions below look into it with the
database's own JSON functions (SQLite's json_each, PostgreSQL's jsonb), so that every list is
one statement whatever the number of partners.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ..extensions import db
from ..workflow.registry import registry, tagged
from .labels import GLOBAL
from .models import Partner


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _name_values():
    """The table of a partner's names, one row (``value``) per language."""
    if _sqlite():
        return sa.func.json_each(Partner.names).table_valued("value")
    return sa.func.jsonb_each_text(sa.cast(Partner.names, JSONB)).table_valued("key", "value")


def name_contains(text: str):
    """SQL condition: one of the partner's names, in any language, contains ``text`` (any
    case; on SQLite letters beyond ASCII match in their own case only)."""
    each = _name_values()
    return sa.exists(
        sa.select(1).select_from(each).where(each.c.value.icontains(text, autoescape=True))
    )


def named(names: Iterable[str]):
    """SQL condition: one of the partner's names, in any language, is one of ``names``
    (spaces collapsed; any case)."""
    wanted = {" ".join(n.split()) for n in names if n and n.strip()}
    if not wanted:
        return sa.false()
    each = _name_values()
    lowered = {n.lower() for n in wanted}
    return sa.exists(
        sa.select(1)
        .select_from(each)
        .where(sa.or_(each.c.value.in_(sorted(wanted)), sa.func.lower(each.c.value).in_(lowered)))
    )


def supports_essential(number: int):
    """SQL condition: the partner's Essentials (a JSON list) include ``number``."""
    if _sqlite():
        each = sa.func.json_each(Partner.essentials).table_valued("value")
        return sa.exists(sa.select(1).select_from(each).where(each.c.value == number))
    return sa.cast(Partner.essentials, JSONB).contains([number])


def source_name():
    """SQL expression: the partner's name in its source language (to sort by)."""
    if _sqlite():
        return sa.func.json_extract(Partner.names, sa.literal("$.") + Partner.source_language)
    return sa.func.jsonb_extract_path_text(sa.cast(Partner.names, JSONB), Partner.source_language)


def open_states() -> tuple[str, ...]:
    """The partner workflow's states that are not final: an application under way or a
    partnership (a rejected application does not hold its name)."""
    definition = registry().get(Partner.__workflow__)
    return tuple(s.id for s in definition.states.values() if not s.final)


def name_taken(names: Iterable[str], other_than: int | None = None) -> bool:
    """Whether an application under way or a partner already uses one of ``names``."""
    stmt = sa.select(Partner.id).where(named(names), Partner.state.in_(open_states()))
    if other_than is not None:
        stmt = stmt.where(Partner.id != other_than)
    return db.session.scalar(stmt.limit(1)) is not None


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory is narrowed to; None or "": everything. ``country`` is a country
    code, or labels.GLOBAL for organisations working worldwide."""

    kind: str | None = None
    country: str | None = None
    essential: int | None = None
    text: str = ""

    @property
    def active(self) -> bool:
        return any((self.kind, self.country, self.essential, self.text))


def directory(filters: DirectoryFilters):
    """The listed partners narrowed by ``filters``, by name."""
    stmt = sa.select(Partner).where(tagged(Partner, "listed"))
    if filters.kind:
        stmt = stmt.where(Partner.kind == filters.kind)
    if filters.country == GLOBAL:
        stmt = stmt.where(Partner.country.is_(None))
    elif filters.country:
        stmt = stmt.where(Partner.country == filters.country)
    if filters.essential is not None:
        stmt = stmt.where(supports_essential(filters.essential))
    if filters.text:
        stmt = stmt.where(name_contains(filters.text))
    return stmt.order_by(sa.func.lower(source_name()), Partner.id)


def listed_countries() -> list[str]:
    """The countries of the listed partners (one query), for the directory's filter."""
    return list(
        db.session.scalars(
            sa.select(Partner.country)
            .where(tagged(Partner, "listed"), Partner.country.is_not(None))
            .distinct()
        )
    )
