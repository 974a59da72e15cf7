"""Operations on the register of past laureates: it grows with each announcement and with the
secretariat's imports; the secretariat resolves possible matches.

Operations flush, never commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from ..accounts.models import User
from ..extensions import db
from ..timeutil import utcnow
from ..workflow.registry import has_tag
from .matching import RECOGNISED, nominee_key
from .models import RegisterEntry, RegisterMatch

#: Where a register entry comes from.
IMPORTED, ANNOUNCED = "import", "announcement"


def _year_of(nomination) -> int:
    """The year a recognition is recorded under: its call's cycle ("2026", "2026-2027"),
    else the year of the announcement."""
    found = re.search(r"\b(\d{4})\b", nomination.call.cycle or "")
    if found:
        return int(found.group(1))
    moment = nomination.announced_at or nomination.call.announced_at or utcnow()
    return moment.year


def record_laureates(nomination, actor: User | None = None) -> RegisterEntry | None:
    """Add the recognised ``nomination``'s nominee to its programme's register, once.

    Called when the nomination is announced: the register then holds every recognition
    the application made, at its award level ("laureate"...) or "recognised" for a
    programme without levels. Returns the entry (the existing one when called again), or
    None for a nomination that is not a recognition.
    """
    if not has_tag(nomination, "recognition"):
        return None
    existing = db.session.scalar(
        sa.select(RegisterEntry).where(
            RegisterEntry.nomination_id == nomination.id,
            RegisterEntry.source == ANNOUNCED,
        )
    )
    if existing is not None:
        return existing
    nominee = nomination.nominee
    entry = RegisterEntry(
        programme_id=nomination.call.programme_id,
        year=_year_of(nomination),
        name=str(nominee.name(nominee.source_language))[:300],
        key=nominee_key(nominee),
        country=nominee.country_code,
        level=nomination.award_level or RECOGNISED,
        source=ANNOUNCED,
        nominee_id=nominee.id,
        nomination_id=nomination.id,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class NewEntry:
    """A past laureate to add to a register, as an import reads it."""

    year: int
    name: str
    key: str
    country: str | None
    level: str

    @property
    def identity(self) -> tuple:
        """What makes two entries the same: the register keeps one of them."""
        return (self.year, self.key, self.country, self.level)


def existing_identities(programme_id: str, entries: Iterable[NewEntry]) -> set[tuple]:
    """Which of ``entries`` the register of the programme already holds (queries by key,
    on the (programme_id, key) index, a few hundred keys at a time)."""
    keys = sorted({e.key for e in entries})
    found: set[tuple] = set()
    for start in range(0, len(keys), 500):
        rows = db.session.execute(
            sa.select(
                RegisterEntry.year, RegisterEntry.key, RegisterEntry.country, RegisterEntry.level
            ).where(
                RegisterEntry.programme_id == programme_id,
                RegisterEntry.key.in_(keys[start : start + 500]),
            )
        )
        found.update(tuple(row) for row in rows)
    return found


def import_entries(
    programme_id: str, entries: Iterable[NewEntry], actor: User | None
) -> tuple[int, int]:
    """Add the entries the register does not hold yet; return (added, duplicates skipped)."""
    entries = list(entries)
    known = existing_identities(programme_id, entries)
    added = skipped = 0
    for new in entries:
        if new.identity in known:
            skipped += 1
            continue
        known.add(new.identity)
        db.session.add(
            RegisterEntry(
                programme_id=programme_id,
                year=new.year,
                name=new.name,
                key=new.key,
                country=new.country,
                level=new.level,
                source=IMPORTED,
                created_by_id=actor.id if actor is not None else None,
            )
        )
        added += 1
    db.session.flush()
    return added, skipped


class ResolutionChanged(Exception):
    """Someone else resolved the match differently since the page was shown."""


def resolve_match(
    nomination,
    entry: RegisterEntry,
    resolution: str,
    seen: str,
    similarity: int,
    actor: User,
    expected_version: int | None = None,
) -> bool:
    """Record whether ``entry`` is the nomination's nominee ("same" or "different").

    Saying again what is recorded changes nothing (returns False). ``seen`` is the
    resolution the officer saw ("unresolved" when none) and ``expected_version`` the
    nomination's version on the page: if either moved on since, ResolutionChanged. The
    nomination's version moves on too, so that a transition checked against the old answer
    (accepting it for review) cannot commit beside the new one.
    """
    found = db.session.scalar(
        sa.select(RegisterMatch).where(
            RegisterMatch.nomination_id == nomination.id, RegisterMatch.entry_id == entry.id
        )
    )
    current = found.resolution if found is not None else "unresolved"
    if current == resolution:
        return False
    if current != seen or expected_version not in (None, nomination.version):
        raise ResolutionChanged(current)
    now = utcnow()
    if found is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    RegisterMatch(
                        nomination_id=nomination.id,
                        entry_id=entry.id,
                        similarity=similarity,
                        resolution=resolution,
                        resolved_by_id=actor.id,
                        resolved_at=now,
                    )
                )
        except sa.exc.IntegrityError:  # another officer recorded it at the same moment
            raise ResolutionChanged(current) from None
    else:
        # Compare-and-set: only if nobody else changed it since it was read.
        changed = db.session.execute(
            sa.update(RegisterMatch)
            .where(RegisterMatch.id == found.id, RegisterMatch.resolution == current)
            .values(
                resolution=resolution,
                similarity=similarity,
                resolved_by_id=actor.id,
                resolved_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:
            raise ResolutionChanged(current)
        db.session.expire(found)
    flag_modified(nomination, "answers")  # a new version of the nomination (no new data)
    db.session.flush()
    return True
