"""Calls for nominations: a programme's cycle with its dates and review settings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..localized import LocalText, pick
from ..timeutil import utcnow
from ..workflow.registry import has_tag

if TYPE_CHECKING:
    from .definition import Programme


class Call(db.Model):
    """One cycle of a programme: opens, closes, review deadline, announcement (call.yaml)."""

    __tablename__ = "calls"
    __workflow__ = "call"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint("reviewers_per_nomination BETWEEN 1 AND 20", name="reviewers_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    cycle: Mapped[str] = mapped_column(sa.String(40))
    theme: Mapped[str] = mapped_column(sa.String(300), default="")
    #: All times are stored in UTC.
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    review_deadline: Mapped[datetime]
    announcement_at: Mapped[datetime | None]
    reviewers_per_nomination: Mapped[int] = mapped_column(default=3)
    disagreement_threshold: Mapped[float] = mapped_column(default=2.0)
    reviewers_see_scores: Mapped[bool] = mapped_column(default=False)
    #: Overrides the programme's limit of Laureates per call (None: the programme's).
    laureates_max: Mapped[int | None]
    #: Announcement text per language code, written by the secretariat.
    announcement: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: The language the secretariat writes the call in; its texts are required, the other
    #: languages' fall back to them (marked as such).
    source_language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    #: Title, theme and description per language: {"fr": {"title": ..., "theme": ...}}. The
    #: columns title and theme keep the source language's (lists sort by them).
    texts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, server_default="{}")
    announced_at: Mapped[datetime | None]
    #: The head of the call's record as sealed by its announcement (the root over its
    #: objects' hash chains; the announcement's history row holds it, this is its copy for
    #: the public page). See recognition.audit.
    record_head: Mapped[str | None] = mapped_column(sa.String(64))
    #: Set by the workflow engine (create, fire), never by hand.
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.programme_id} {self.cycle} {self.state}>"

    @property
    def programme(self) -> Programme:
        return current_app.extensions["programmes"][self.programme_id]

    def text(self, field: str, language: str | None = None) -> LocalText:
        """``title``, ``theme`` or ``description`` in the reader's language (or ``language``),
        falling back to the source language's, marked."""
        by_language = {code: (values or {}).get(field, "") for code, values in self.texts.items()}
        if field in ("title", "theme"):
            by_language.setdefault(self.source_language, getattr(self, field) or "")
        return pick(by_language, self.source_language, language)

    def announcement_text(self, language: str | None = None) -> LocalText:
        """The announcement in the reader's language, else the source language's, marked."""
        return pick(self.announcement, self.source_language, language)

    def accepting_nominations(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return has_tag(self, "accepting") and self.opens_at <= now < self.closes_at

    def review_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return has_tag(self, "reviewable") and now <= self.review_deadline

    def quota(self, level_id: str) -> int | None:
        """How many nominations of this call may receive the award level (None: no limit).

        The programme sets each level's ``max_per_call``; the call's "Laureates at most"
        replaces it for the programme's first (highest) level.
        """
        level = self.programme.level(level_id)
        if level is None:
            return None
        if self.laureates_max is not None and level == self.programme.levels[0]:
            return self.laureates_max
        return level.max_per_call
