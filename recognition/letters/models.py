"""Letters of support: a nomination's author names a referee, who answers through a
single-use link without an account (letter.yaml)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.definition import FieldDef, Programme
from ..timeutil import utcnow


def letter_fields(programme: Programme) -> list[FieldDef]:
    """The programme's fields of type ``letters``, in the order of the form."""
    return [f for s in programme.sections for f in s.fields if f.type == "letters"]


def letter_field(programme: Programme, field_id: str) -> FieldDef | None:
    return next((f for f in letter_fields(programme) if f.id == field_id), None)


class Letter(db.Model):
    """A letter asked of a referee for one of a nomination's letter fields."""

    __tablename__ = "letters"
    __workflow__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        sa.ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    #: The programme's field of type ``letters`` the letter answers.
    field: Mapped[str] = mapped_column(sa.String(120))
    referee_name: Mapped[str] = mapped_column(sa.String(160))
    referee_organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    referee_email: Mapped[str] = mapped_column(sa.String(254))
    #: The language the referee is written to and reads the form in.
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: sha256 of the single-use token the referee's link carries (the token is never stored).
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime | None]
    #: The letter, written in the form …
    text: Mapped[str] = mapped_column(sa.Text, default="")
    # … or uploaded (a PDF, stored by content like evidence files).
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    mime: Mapped[str] = mapped_column(sa.String(120), default="")
    size: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    #: Set by the workflow engine (create, fire), never by hand.
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)

    nomination: Mapped[Nomination] = relationship()
    requested_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Letter {self.id} nomination={self.nomination_id} {self.state}>"

    @property
    def field_def(self) -> FieldDef | None:
        """The programme's letters field this letter answers (None if the programme dropped
        it since)."""
        return letter_field(self.nomination.programme, self.field)

    @property
    def confidential(self) -> bool:
        """Whether only the secretariat and the reviewers read it (a field the programme no
        longer has stays confidential)."""
        field = self.field_def
        return field is None or field.confidential
