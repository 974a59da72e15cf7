"""Annual reports of recognised cities: what a city shared with other cities in one year of
its recognition, and with whom (annual_report.yaml)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..nominations.models import Nomination
from ..timeutil import utcnow

#: The longest answer, in characters.
TEXT_LENGTH = 10_000

#: The answers, in the order the form asks them.
ANSWERS = ("peer_exchanges", "study_visits", "tools", "shared_with")


class AnnualReport(db.Model):
    """The report on year ``year`` of a recognition (the year that ended on its anniversary),
    due ``due_on`` in the city's calendar."""

    __tablename__ = "annual_reports"
    __workflow__ = "annual_report"
    __table_args__ = (
        # One report per recognition and year, however many processes open them at once.
        sa.UniqueConstraint("nomination_id", "year"),
        sa.CheckConstraint("year >= 1", name="year_from_one"),
        sa.CheckConstraint(
            "state NOT IN ('submitted', 'accepted') OR submitted_at IS NOT NULL",
            name="submitted_has_date",
        ),
        sa.Index("ix_annual_reports_state_due_on", "state", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The recognition reported on (an announced nomination).
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nominations.id", ondelete="CASCADE"))
    #: 1, 2, 3: the year of the recognition that ended on its anniversary.
    year: Mapped[int]
    #: The anniversary plus the grace period, in the city's calendar.
    due_on: Mapped[date]
    #: What the city shared: peer exchanges, study visits, tools (free text).
    peer_exchanges: Mapped[str] = mapped_column(sa.Text, default="")
    study_visits: Mapped[str] = mapped_column(sa.Text, default="")
    tools: Mapped[str] = mapped_column(sa.Text, default="")
    #: With whom: the cities and partners.
    shared_with: Mapped[str] = mapped_column(sa.Text, default="")
    #: The language the report is written in (one of the six), not the interface's.
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: Set by the workflow engine (create, fire), never by hand.
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the city last submitted it.
    submitted_at: Mapped[datetime | None]

    nomination: Mapped[Nomination] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<AnnualReport {self.id} nomination={self.nomination_id} y{self.year} {self.state}>"

    @property
    def city(self):
        return self.nomination.city

    def answers(self) -> dict[str, str]:
        return {name: getattr(self, name) or "" for name in ANSWERS}
