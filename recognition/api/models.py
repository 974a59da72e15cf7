"""Personal access tokens: a user's keys to the JSON API, stored as hashes only."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

if TYPE_CHECKING:
    from ..accounts.models import User

#: What a token may do: ``read`` answers GET only; ``write`` also saves and fires transitions.
SCOPES = ("read", "write")


class ApiToken(db.Model):
    """A named token acting as its user, with exactly the user's permissions, narrowed to
    reading when its scope is ``read``.

    The token itself is shown once, when it is created; the database keeps its SHA-256 (the
    token is 256 random bits: a fast hash is enough, nothing to guess) and its first
    characters, so that its owner can tell tokens apart.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (
        sa.CheckConstraint("scope IN ('read', 'write')", name="known_scope"),
        sa.Index("ix_api_tokens_user", "user_id", "id"),
        # No public page shows tokens: using one keeps the kept public pages (pagecache).
        {"info": {"public": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    scope: Mapped[str] = mapped_column(sa.String(8))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship("User")

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def writes(self) -> bool:
        return self.scope == "write"
