"""The outbox: every message, written in the same transaction as the change it reports."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

if TYPE_CHECKING:
    from ..accounts.models import User


class OutboxMessage(db.Model):
    """An e-mail rendered in the recipient's language, waiting for (or done with) delivery.

    It doubles as the recipient's in-app notification (``read_at``).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name="known_status"),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_recipient", "recipient_id", "id"),
        # No public page shows mail: sending it keeps the kept public pages (pagecache).
        {"info": {"public": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    to_email: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(8))
    template: Mapped[str] = mapped_column(sa.String(80))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    #: Stable across retries, so that a retried delivery is recognisable.
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: Refuses the same message twice (e.g. a reminder per assignment and deadline).
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Until when a sender owns the message it claimed (committed before any network I/O);
    #: past it, another sender may claim the message again.
    lease_until: Mapped[datetime | None]
    #: Which sender holds the lease (a random token per batch).
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]

    recipient: Mapped[User | None] = relationship("User")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.template} to={self.to_email} {self.status}>"
