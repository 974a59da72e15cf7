"""Nominees — who a nomination recognises: a city, an organisation or a person — and the
register of past laureates that eligibility rules check them against."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import City, User
from ..extensions import db
from ..localized import LocalText, pick
from ..timeutil import utcnow

#: What a nominee is. A programme's YAML says which kinds it recognises.
NOMINEE_KINDS = ("city", "organisation", "person")

#: The kinds of organisation a nominee may be (msgids in nominees/labels.py).
ORGANISATION_TYPES = (
    "community_group",
    "ngo",
    "government_agency",
    "business",
    "academic",
    "other",
)


def name_key(name: str) -> str:
    """A name as the register compares it: letters and digits only, lower case, accents and
    punctuation dropped, spaces collapsed ("Almaty City Hall" = "almaty city hall")."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", letters.casefold()).split())


class Nominee(db.Model):
    """Who a nomination names. A city nominee is the registered city (one nominee per city);
    an organisation or a person is described by the nomination's author."""

    __tablename__ = "nominees"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    #: A city nominee's city (one nominee per city).
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), unique=True)
    #: The name per language ({language: name}) of an organisation or a person.
    names: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    source_language: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: An organisation's type (ORGANISATION_TYPES); empty for cities and persons.
    organisation_type: Mapped[str] = mapped_column(sa.String(32), default="")
    country: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    contact_name: Mapped[str] = mapped_column(sa.String(160), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: The source-language name as the register compares it (name_key).
    key: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    city: Mapped[City | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Nominee {self.id} {self.kind} {self.name()!r}>"

    def name(self, language: str | None = None) -> LocalText:
        """The nominee's name for the reader: a city's own name, or the name written in the
        reader's language, else the source language's (marked as a fallback)."""
        if self.city is not None:
            return LocalText(self.city.name, self.source_language)
        return pick(self.names, self.source_language, language)

    @property
    def country_code(self) -> str | None:
        return self.city.country if self.city is not None else self.country

    def refresh_key(self) -> None:
        self.key = name_key(str(self.name(self.source_language)))[:200]


def nominee_for_city(city: City) -> Nominee:
    """The city's nominee, added the first time the city is nominated."""
    found = db.session.scalar(sa.select(Nominee).where(Nominee.city_id == city.id))
    if found is None:
        found = Nominee(kind="city", city=city, city_id=city.id, country=city.country)
        found.key = name_key(city.name)[:200]
        db.session.add(found)
        db.session.flush()
    return found


class RegisterEntry(db.Model):
    """A past laureate of a programme: imported from the historic record (CSV) or added by
    an announcement. "Past laureates cannot be nominated again" reads this register."""

    __tablename__ = "register_entries"
    __table_args__ = (sa.Index("ix_register_entries_programme_key", "programme_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[str] = mapped_column(sa.String(64))
    year: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(300))
    key: Mapped[str] = mapped_column(sa.String(200))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    #: The level or recognition recorded (e.g. "laureate").
    level: Mapped[str] = mapped_column(sa.String(64), default="")
    #: "import" or "announcement".
    source: Mapped[str] = mapped_column(sa.String(16), default="import")
    nominee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nominees.id"), index=True)
    nomination_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("nominations.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    nominee: Mapped[Nominee | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class RegisterMatch(db.Model):
    """A register entry that may be the nominee of a nomination: the secretariat says
    whether it is (then the nominee is a past laureate) or not, before screening ends."""

    __tablename__ = "register_matches"
    __table_args__ = (sa.UniqueConstraint("nomination_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        sa.ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("register_entries.id", ondelete="CASCADE"))
    #: How alike the names are, 0–100.
    similarity: Mapped[int] = mapped_column(default=0)
    #: "unresolved", "same" (the nominee is this past laureate) or "different".
    resolution: Mapped[str] = mapped_column(sa.String(16), default="unresolved")
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[RegisterEntry] = relationship(lazy="joined")
    resolved_by: Mapped[User | None] = relationship()


def nominee_named(
    kind: str,
    name: str,
    country: str,
    language: str,
    organisation_type: str = "",
    contact_name: str = "",
    contact_email: str = "",
) -> Nominee:
    """The organisation or person of this name and country, as nominated before (the same
    normalised name), or a new nominee: one nominee, so one nomination per call."""
    key = name_key(name)[:200]
    found = db.session.scalar(
        sa.select(Nominee)
        .where(Nominee.kind == kind, Nominee.key == key, Nominee.country == country)
        .order_by(Nominee.id)
        .limit(1)
    )
    if found is not None:
        return found
    nominee = Nominee(
        kind=kind,
        names={language: name.strip()},
        source_language=language,
        organisation_type=organisation_type if kind == "organisation" else "",
        country=country,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(),
        key=key,
    )
    db.session.add(nominee)
    db.session.flush()
    return nominee
