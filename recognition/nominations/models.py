"""Nominations, their submission snapshots and their evidence files."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import City, User
from ..extensions import db
from ..nominees.models import Nominee
from ..partners.models import Partner
from ..programmes.models import Call
from ..timeutil import utcnow


class Nomination(db.Model):
    """A nomination of a nominee (a city, an organisation or a person) to a call, by the
    nominee itself or on its behalf (a partner, a registered nominator); its state follows
    nomination.yaml."""

    __tablename__ = "nominations"
    __workflow__ = "nomination"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "nominee_id", name="uq_nominations_call_nominee"),
        # A decided nomination records who decided and when.
        sa.CheckConstraint(
            "state NOT IN ('recognised', 'not_recognised', 'announced') "
            "OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="decided_has_decider",
        ),
        sa.CheckConstraint(
            "state NOT IN ('submitted', 'under_review', 'shortlisted', 'recognised', "
            "'not_recognised', 'announced') OR submitted_at IS NOT NULL",
            name="submitted_has_date",
        ),
        sa.Index("ix_nominations_call_state", "call_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"))
    nominee_id: Mapped[int] = mapped_column(sa.ForeignKey("nominees.id"), index=True)
    #: The nominee's city when the nominee is a city (its focal points act for it).
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    #: The partner that nominated on the nominee's behalf, if one did.
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    #: When a city nominated by someone else accepted the nomination.
    consented_at: Mapped[datetime | None]
    #: The language the nomination is written in (one of the six), not the UI language.
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: What the city typed, field by field, valid or not (drafts keep everything).
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: Set by the workflow engine (create, fire), never by hand.
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str] = mapped_column(sa.Text, default="")
    #: Role Model City: the Essentials (numbers) the city is recognised in.
    areas_of_strength: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    #: Sasakawa Award: laureate, distinction or merit.
    award_level: Mapped[str | None] = mapped_column(sa.String(32))
    announced_at: Mapped[datetime | None]
    #: The code printed on the certificate; /verify/<code> says what it certifies.
    verification_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    #: A recognition's lifetime (programme ``recognition.years``), as the city's calendar
    #: counts: from the announcement's day to the last day it holds (None: permanent).
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None] = mapped_column(index=True)
    #: The recognition this nomination renews, or the nomination it starts from.
    renews_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nominations.id"), index=True)

    call: Mapped[Call] = relationship(lazy="joined", innerjoin=True)
    nominee: Mapped[Nominee] = relationship(lazy="joined", innerjoin=True)
    city: Mapped[City | None] = relationship(lazy="joined")
    partner: Mapped[Partner | None] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="nomination", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Nomination {self.id} call={self.call_id} nominee={self.nominee_id} {self.state}>"

    @property
    def programme(self):
        return self.call.programme

    def nominee_name(self, language: str | None = None):
        """Who the nomination recognises, named for the reader."""
        return self.nominee.name(language)

    @property
    def country(self) -> str | None:
        return self.nominee.country_code


class NominationSnapshot(db.Model):
    """The answers and files as they were at one submission, kept to show what changed."""

    __tablename__ = "nomination_snapshots"
    __table_args__ = (sa.UniqueConstraint("nomination_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nominations.id", ondelete="CASCADE"))
    number: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: [{"field": ..., "filename": ..., "sha256": ..., "size": ...}]
    files: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(db.Model):
    """An evidence file: stored once by content (sha256), typed from its bytes."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        sa.ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    #: The form input the file answers (e.g. "motivation_letter", "essentials__3__evidence").
    field: Mapped[str] = mapped_column(sa.String(120))
    filename: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    mime: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="attachments")

    def describe(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "filename": self.filename,
            "sha256": self.sha256,
            "size": self.size,
        }
