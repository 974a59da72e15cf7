"""Which entries of the register of past laureates may be a nominee.

Names are compared as ``name_key`` writes them (lower case, accents and punctuation dropped:
"Almaty City-Hall" = "almaty city hall"):

- an *exact* match has the same key and the same country, or the same key and no country
  on either side; or it was recorded for this very nominee by an announcement;
- a *near* match has names at least ``threshold`` % alike once the words that only say
  "the city's administration" are set aside ("Municipality of Almaty" ~ "Almaty City
  Hall"), and the same country or an unknown one. The secretariat says whether it is the
  same nominee: a near match is a warning, never a silent pass.

The register is never read whole: the exact query uses the (programme_id, key) index; the
near query asks the database for the entries of the programme and level whose key contains
the start of one of the name's words, and scores only those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .models import Nominee, RegisterEntry, name_key

#: Words that only say "the administration of the city" (as keys write them: lower case,
#: no accents), set aside before names are compared. English, French,
#: Spanish and Portuguese, as historic laureates' names are usually written.
GENERIC_PHRASES = (
    "prefeitura municipal de",
    "municipal government of",
    "gobierno municipal de",
    "municipality of",
    "municipalidad de",
    "ayuntamiento de",
    "prefeitura de",
    "municipal government",
    "municipio de",
    "alcaldia de",
    "commune de",
    "mairie de",
    "ville de",
    "city of",
    "town of",
    "city hall",
    "town hall",
    "city council",
    "municipality",
    "city",
    "town",
    "the",
)

#: Level a programme without levels records its recognitions at.
RECOGNISED = "recognised"

#: Words of a name whose start (this many letters) finds the candidates of a near match.
PREFIX = 4
#: At most this many candidates are scored for one nominee.
MAX_CANDIDATES = 200


_LONGEST_FIRST = sorted(GENERIC_PHRASES, key=len, reverse=True)
_GENERIC = re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, _LONGEST_FIRST)) + r")(?!\S)")


def core(key: str) -> str:
    """A name key without the generic words ("municipality of almaty" -> "almaty"); the key
    itself when nothing else is left."""
    return " ".join(_GENERIC.sub(" ", key).split()) or key


def similarity(key_a: str, key_b: str) -> int:
    """How alike two name keys are, 0–100: their words compared in any order, generic
    words set aside."""
    from rapidfuzz import fuzz  # loaded where names are compared, not by every worker

    return round(fuzz.token_sort_ratio(core(key_a), core(key_b)))


def nominee_key(nominee: Nominee) -> str:
    """The nominee's name as the register compares it (its stored key, else computed)."""
    return nominee.key or name_key(str(nominee.name(nominee.source_language)))[:200]


def laureate_level(programme: Any) -> str:
    """The level whose holders cannot be nominated again: the programme's first (highest)
    level ("laureate"), or "recognised" for a programme without levels."""
    return programme.levels[0].id if programme.levels else RECOGNISED


def near_threshold(programme: Any) -> int | None:
    """How alike names must be for a near match, as the programme's rule
    ``register_matches_resolved: {similarity: N}`` says; None when it has no such rule."""
    for rules in programme.rules.values():
        for rule in rules:
            if rule.name == "register_matches_resolved":
                return int(rule.params["similarity"])
    return None


def register_applies(programme: Any) -> bool:
    """Whether the programme checks nominees against the register (its rules name it)."""
    names = {rule.name for rules in programme.rules.values() for rule in rules}
    return bool(names & {"past_laureates_excluded", "register_matches_resolved"})


def _country_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def is_exact(entry: RegisterEntry, key: str, country: str | None, nominee_id: int | None) -> bool:
    """Same key and same country (or none on either side), or recorded for this nominee."""
    if nominee_id is not None and entry.nominee_id == nominee_id:
        return True
    return entry.key == key and entry.country == country


@dataclass(frozen=True)
class Candidate:
    """A register entry that may be the nominee, and how alike the names are."""

    entry: RegisterEntry
    similarity: int
    exact: bool


def exact_entries(
    programme_id: str,
    level: str,
    nominee: Nominee,
    *,
    excluding_nomination: int | None = None,
) -> list[RegisterEntry]:
    """The entries of the programme at ``level`` that are the nominee: same key and country
    (the (programme_id, key) index), or recorded for this nominee."""
    key = nominee_key(nominee)
    country = nominee.country_code
    clauses = [RegisterEntry.key == key] if key else []
    if nominee.id is not None:
        clauses.append(RegisterEntry.nominee_id == nominee.id)
    if not clauses:
        return []
    stmt = (
        sa.select(RegisterEntry)
        .where(
            RegisterEntry.programme_id == programme_id,
            RegisterEntry.level == level,
            sa.or_(*clauses),
        )
        .order_by(RegisterEntry.year, RegisterEntry.id)
        .limit(MAX_CANDIDATES)
    )
    if excluding_nomination is not None:
        stmt = stmt.where(
            sa.or_(
                RegisterEntry.nomination_id.is_(None),
                RegisterEntry.nomination_id != excluding_nomination,
            )
        )
    return [e for e in db.session.scalars(stmt) if is_exact(e, key, country, nominee.id)]


def _prefixes(key: str) -> set[str]:
    words = core(key).split()
    long_words = [w for w in words if len(w) >= 3] or words
    return {w[:PREFIX] for w in long_words[:6]}


def possible_matches(
    programme_id: str,
    level: str,
    nominee: Nominee,
    threshold: int | None,
    *,
    excluding_nomination: int | None = None,
) -> list[Candidate]:
    """The entries of the programme at ``level`` that may be the nominee: exact ones, and
    near ones (names at least ``threshold`` % alike, same or unknown country) when a
    threshold is given. Exact first, then the most alike; one query."""
    key = nominee_key(nominee)
    country = nominee.country_code
    if threshold is None:
        exact = exact_entries(
            programme_id, level, nominee, excluding_nomination=excluding_nomination
        )
        return [Candidate(e, 100, True) for e in exact]
    clauses = [RegisterEntry.key.contains(p, autoescape=True) for p in _prefixes(key) if p]
    if nominee.id is not None:
        clauses.append(RegisterEntry.nominee_id == nominee.id)
    if not clauses:
        return []
    stmt = (
        sa.select(RegisterEntry)
        .where(
            RegisterEntry.programme_id == programme_id,
            RegisterEntry.level == level,
            sa.or_(*clauses),
        )
        .order_by(RegisterEntry.id)
        .limit(MAX_CANDIDATES)
    )
    if country is not None:
        same_place = [RegisterEntry.country == country, RegisterEntry.country.is_(None)]
        if nominee.id is not None:
            same_place.append(RegisterEntry.nominee_id == nominee.id)
        stmt = stmt.where(sa.or_(*same_place))
    if excluding_nomination is not None:
        stmt = stmt.where(
            sa.or_(
                RegisterEntry.nomination_id.is_(None),
                RegisterEntry.nomination_id != excluding_nomination,
            )
        )
    return rank(db.session.scalars(stmt), key, country, nominee.id, threshold)


def rank(
    entries: Iterable[RegisterEntry],
    key: str,
    country: str | None,
    nominee_id: int | None,
    threshold: int,
) -> list[Candidate]:
    """Score entries against a nominee's key and country; keep exact and near matches."""
    found = []
    for entry in entries:
        if is_exact(entry, key, country, nominee_id):
            found.append(Candidate(entry, 100, True))
            continue
        if not _country_compatible(entry.country, country):
            continue
        score = similarity(entry.key, key)
        if score >= threshold:
            found.append(Candidate(entry, score, False))
    found.sort(key=lambda c: (not c.exact, -c.similarity, c.entry.year, c.entry.id))
    return found
