"""Reviewers' assignments to nominations and their scores."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.definition import DEFAULT_ROUND
from ..timeutil import utcnow


class Assignment(db.Model):
    """A reviewer asked to score one nomination; its state follows review.yaml."""

    __tablename__ = "assignments"
    __workflow__ = "review"
    __table_args__ = (
        sa.UniqueConstraint("nomination_id", "reviewer_id", "round", name="uq_assignments_pair"),
        sa.CheckConstraint(
            "state <> 'conflicted' OR conflict_reason <> ''", name="conflict_has_reason"
        ),
        sa.CheckConstraint(
            "state NOT IN ('submitted') OR submitted_at IS NOT NULL", name="submitted_has_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nominations.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The review round (programme ``rounds``) the assignment scores: scores of one round are
    #: never aggregated with another's.
    round: Mapped[str] = mapped_column(sa.String(32), default=DEFAULT_ROUND, index=True)
    #: Set by the workflow engine (create, fire), never by hand.
    state: Mapped[str] = mapped_column(sa.String(32), index=True)
    version: Mapped[int] = mapped_column(default=1)
    conflict_reason: Mapped[str] = mapped_column(sa.Text, default="")
    recommendation: Mapped[str] = mapped_column(sa.String(32), default="")
    comment_for_city: Mapped[str] = mapped_column(sa.Text, default="")
    comment_confidential: Mapped[str] = mapped_column(sa.Text, default="")
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    #: The review deadline for which a reminder was last queued (never twice per deadline).
    reminded_for: Mapped[datetime | None]

    nomination: Mapped[Nomination] = relationship(lazy="joined", innerjoin=True)
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id], lazy="joined")
    scores: Mapped[list[Score]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Assignment {self.id} n={self.nomination_id} r={self.reviewer_id} {self.state}>"

    def score_for(self, criterion_id: str) -> Score | None:
        return next((s for s in self.scores if s.criterion == criterion_id), None)


class Score(db.Model):
    """A reviewer's score and comment on one criterion of the rubric."""

    __tablename__ = "scores"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    criterion: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[int | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="scores")


class CallRound(db.Model):
    """A call's settings for one of its programme's rounds: the round's review deadline (the
    call's when unset) and when the secretariat opened it."""

    __tablename__ = "call_rounds"

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), primary_key=True)
    round: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    review_deadline: Mapped[datetime | None]


class Juror(db.Model):
    """A member of a call's named jury for a round whose panel is ``jury``."""

    __tablename__ = "jurors"

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), primary_key=True)
    round: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)

    user: Mapped[User] = relationship(lazy="joined")


# -- deliberation (the deliberation package reads and writes these) ------------------------


class Post(db.Model):
    """One message of a round's discussion of a nomination; its readers are the round's
    panel and the secretariat, never the nomination's authors."""

    __tablename__ = "discussion_posts"
    __table_args__ = (sa.Index("ix_discussion_posts_thread", "nomination_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nominations.id"))
    round: Mapped[str] = mapped_column(sa.String(32))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class Consensus(db.Model):
    """The panel's consensus on a nomination in a round, as the secretariat records it: a
    score on the rubric's scale (optional) and a statement."""

    __tablename__ = "consensus"

    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nominations.id"), primary_key=True)
    round: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    score: Mapped[float | None]
    statement: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")


# -- kept aggregates (review/kept.py maintains them; nothing else writes them) ----------------


class KeptRound(db.Model):
    """A call's round whose score aggregates are kept. ``generation`` moves on every review
    counted or uncounted; normalised totals were last brought up to date at
    ``normalised_generation`` (other nominations' normalisation moves with every review)."""

    __tablename__ = "kept_rounds"
    # No public page shows these rows: writing them keeps the kept public pages (pagecache).
    __table_args__ = {"info": {"public": False}}

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), primary_key=True)
    round: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    normalised_generation: Mapped[int] = mapped_column(default=-1)


class ScoreMoment(db.Model):
    """Count, sum and sum of squares of a round's counted scores per reviewer and criterion;
    ``reviewer_id`` 0 holds every reviewer's (the criterion's). Normalisation reads these
    instead of every score of the call."""

    __tablename__ = "score_moments"
    # No public page shows these rows: writing them keeps the kept public pages (pagecache).
    __table_args__ = {"info": {"public": False}}

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), primary_key=True)
    round: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(primary_key=True)
    criterion: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    squares: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class NominationScores(db.Model):
    """A nomination's aggregate in a round, kept for sorting, filtering and counting a call's
    nominations with an indexed query: reviews counted, weighted and normalised totals, the
    criteria's means, disagreement, areas of strength."""

    __tablename__ = "nomination_scores"
    __table_args__ = (
        sa.Index("ix_nomination_scores_rank", "call_id", "round", "weighted_total"),
        sa.Index("ix_nomination_scores_normalised", "call_id", "round", "normalised_total"),
        # The dashboard's disagreements: counted, and the first listed, from the index alone.
        sa.Index(
            "ix_nomination_scores_disagreement", "call_id", "round", "disagreement", "nomination_id"
        ),
        {"info": {"public": False}},  # no public page shows these rows (pagecache)
    )

    nomination_id: Mapped[int] = mapped_column(sa.ForeignKey("nominations.id"), primary_key=True)
    round: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"))
    reviews: Mapped[int] = mapped_column(default=0)
    weighted_total: Mapped[float | None]
    normalised_total: Mapped[float | None]
    disagreement: Mapped[bool] = mapped_column(default=False)
    qualifies: Mapped[bool | None]
    means: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    strengths: Mapped[list] = mapped_column(sa.JSON, default=list)


class KeptLoads(db.Model):
    """A call whose reviewers' loads are kept (``ReviewerLoad``); built on first use."""

    __tablename__ = "kept_loads"
    # No public page shows these rows: writing them keeps the kept public pages (pagecache).
    __table_args__ = {"info": {"public": False}}

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), primary_key=True)


class ReviewerLoad(db.Model):
    """A reviewer's assignments in a call, kept as they are created and move: how many are
    live (invited or engaged) and how many counted (submitted), every round together. The
    dashboard and the picker read these instead of counting the call's assignments."""

    __tablename__ = "reviewer_loads"
    # No public page shows these rows: writing them keeps the kept public pages (pagecache).
    __table_args__ = {"info": {"public": False}}

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    live: Mapped[int] = mapped_column(default=0)
    counted: Mapped[int] = mapped_column(default=0)


class KeptAnalysis(db.Model):
    """An analysis of a call's round (``kind``: the fairness figures, the robustness verdict)
    kept for every app server: ``payload`` (JSON) was computed from what ``stamp`` names (the
    round's kept generation, and what else it depends on). ``lease_until``: a process is
    computing it anew until then (``review.analyses``)."""

    __tablename__ = "kept_analyses"
    # No public page shows these rows: writing them keeps the kept public pages (pagecache).
    __table_args__ = {"info": {"public": False}}

    call_id: Mapped[int] = mapped_column(
        sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    round: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    #: What the payload was computed from; "" while it never was.
    stamp: Mapped[str] = mapped_column(sa.String(128), default="")
    payload: Mapped[str | None] = mapped_column(sa.Text)
    computed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
