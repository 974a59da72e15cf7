"""Webhooks: addresses the secretariat registers for events, and each event's delivery to
each of them, queued in the transaction of the change it reports (the outbox pattern)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Webhook(db.Model):
    """An address told of chosen events (``<workflow>.<transition>``), each delivery signed
    with the webhook's secret (HMAC-SHA256)."""

    __tablename__ = "webhooks"
    __table_args__ = ({"info": {"public": False}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    events: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    secret: Mapped[str] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(db.Model):
    """One event for one webhook: queued, then sent (a 2xx answer), retried with backoff, or
    failed once the retry window is over. One row per webhook and event, whatever happens:
    an event is delivered once (a receiver that answered too late may see it again, under
    the same delivery id)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed')", name="known_status"),
        sa.UniqueConstraint("webhook_id", "event_id", name="uq_webhook_deliveries_event"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
        {"info": {"public": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(sa.ForeignKey("webhooks.id", ondelete="CASCADE"))
    #: The history row the event is: one delivery per webhook and event.
    event_id: Mapped[int]
    event: Mapped[str] = mapped_column(sa.String(100))
    #: The receiver's key to recognise an event it has already seen.
    delivery_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    #: The receiver's last HTTP status (None: no answer).
    last_status: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    webhook: Mapped[Webhook] = relationship()
