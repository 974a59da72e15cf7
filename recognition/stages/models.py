"""A city's stage in Making Cities Resilient 2030 (city_stage.yaml): one row per city, created
when the city first asks for a stage (or when the secretariat records that it joined), with
the evidence of its latest request."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import City, User
from ..extensions import db
from ..timeutil import utcnow


class CityStage(db.Model):
    """Where a city stands in MCR2030 (joined, stage A, B, C, or a move it asked for)."""

    __tablename__ = "city_stages"
    __workflow__ = "city_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cities.id", ondelete="CASCADE"), unique=True
    )
    #: Set by the workflow engine (create, fire), never by hand.
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The evidence of the latest request (the history keeps each request's note as its
    # comment and names its file): what the city wrote …
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # … and a PDF it uploaded (stored by content, like every evidence file), if any.
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    mime: Mapped[str] = mapped_column(sa.String(120), default="")
    size: Mapped[int] = mapped_column(default=0)
    requested_at: Mapped[datetime | None]
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    city: Mapped[City] = relationship(lazy="joined")
    requested_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<CityStage {self.id} city={self.city_id} {self.state}>"

    @property
    def has_file(self) -> bool:
        return bool(self.sha256)


def stage_of_city(city_id: int) -> CityStage | None:
    """The city's stage row, or None while it has not joined."""
    return db.session.scalar(sa.select(CityStage).where(CityStage.city_id == city_id))
