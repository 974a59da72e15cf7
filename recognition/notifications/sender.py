"""Deliver the outbox over SMTP: retries with backoff, a stable Message-ID, no double send.

On PostgreSQL each sender claims its batch with ``SELECT ... FOR UPDATE SKIP LOCKED``, so
several senders can run at once without sending a message twice. Without an SMTP host
(development) messages are written to the log and marked sent; the outbox page shows them.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..timeutil import utcnow
from .models import OutboxMessage

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)


def build_email(message: OutboxMessage) -> EmailMessage:
    """The e-mail for an outbox message: plain text and HTML, in the recipient's language."""
    email = EmailMessage()
    email["From"] = current_app.config["RECOGNITION_MAIL_FROM"]
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = formatdate(localtime=False)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    # set_content() drops every Content-* header set before it: the language comes last.
    email["Content-Language"] = message.locale
    for part in email.iter_parts():
        part["Content-Language"] = message.locale
    return email


class Transport:
    """One SMTP connection for a batch, opened lazily."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, email: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        self.smtp.send_message(email)

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        security = c["RECOGNITION_MAIL_SECURITY"].lower()
        host, port = c["RECOGNITION_MAIL_HOST"], c["RECOGNITION_MAIL_PORT"]
        if security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=20, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=20)
        # A refused STARTTLS or login must not leave the connection open behind it.
        try:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if c["RECOGNITION_MAIL_USER"]:
                smtp.login(c["RECOGNITION_MAIL_USER"], c["RECOGNITION_MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        """Say goodbye if the server still listens; close the socket in any case."""
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self.smtp.close()
                self.smtp = None


def backoff(attempts: int) -> timedelta:
    return min(MAX_BACKOFF, timedelta(minutes=2 ** (attempts - 1)))


def claim(limit: int, now: datetime):
    stmt = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.scalars(stmt))


def send_due(limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Send one batch of due messages; commit; return counts of sent, retried and failed."""
    config = current_app.config
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    batch = claim(limit, now)
    if not batch:
        db.session.commit()
        return counts
    max_attempts = config["RECOGNITION_MAIL_MAX_ATTEMPTS"]
    transport = Transport(config) if config["RECOGNITION_MAIL_HOST"] else None
    try:
        for message in batch:
            message.attempts += 1
            try:
                if transport is None:
                    log.info("mail to %s: %s", message.to_email, message.subject)
                else:
                    transport.send(build_email(message))
            except Exception as exc:
                # Any failure is this message's failure (retried, then shown as failed): one
                # message that cannot be built or sent must not block the rest of the queue.
                if not isinstance(exc, smtplib.SMTPException | OSError):
                    log.exception("outbox: cannot send message %s", message.id)
                if transport is not None:
                    transport.close()
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= max_attempts:
                    message.status = "failed"
                    counts["failed"] += 1
                else:
                    message.next_attempt_at = now + backoff(message.attempts)
                    counts["retry"] += 1
            else:
                message.status = "sent"
                message.sent_at = utcnow()
                message.last_error = ""
                counts["sent"] += 1
    finally:
        if transport is not None:
            transport.close()
        db.session.commit()
    return counts


def send_loop(interval: float = 5.0, once: bool = False) -> None:
    """Keep sending (a worker process).

    A batch that fails as a whole (the database restarting, say) is logged and tried again
    after the interval: the worker outlives the outage instead of leaving the queue unsent.
    """
    while True:
        try:
            counts = send_due()
        except Exception:
            log.exception("outbox: the batch failed; trying again in %s s", interval)
            db.session.rollback()
        else:
            if any(counts.values()):
                log.info("outbox: %s", counts)
        if once:
            return
        db.session.remove()
        time.sleep(interval)


def retry(message: OutboxMessage) -> None:
    """Queue a failed message again (the secretariat's retry)."""
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = utcnow()
