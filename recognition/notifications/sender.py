"""Deliver the outbox over SMTP: each message once, a stable Message-ID, retries with backoff
for as long as the retry window lasts.

A sender never holds a row lock (nor any transaction) while it talks to the SMTP server:

1. *Claim*, in one short transaction: lease up to ``limit`` due messages whose lease is free
   or expired (``lease_until``, ``lease_owner`` = a token of this batch) and commit. On
   PostgreSQL the due rows are chosen ``FOR UPDATE SKIP LOCKED`` inside that transaction
   only, so two senders claiming at the same moment neither wait for each other nor claim the
   same message; on SQLite the claim re-checks the lease under the database's write lock.
2. *Take* each message just before sending it, in a short transaction: the lease is renewed
   if it is still ours; a message another sender claimed after our lease expired is skipped.
3. *Send*, with no transaction open; every socket operation waits at most
   ``RECOGNITION_MAIL_TIMEOUT`` seconds, so a server that accepts and never answers costs a
   retry, not a stuck worker.
4. *Record* the outcome at once and commit it, if the lease is still ours: sent; or queued
   again after a backoff that doubles up to an hour; or failed, once
   ``RECOGNITION_MAIL_RETRY_HOURS`` have passed since the message was queued (and it was
   tried at least ``RECOGNITION_MAIL_MAX_ATTEMPTS`` times).

What a crash costs: if a sender is killed (or cut off from its database) after the SMTP
server accepted a message but before the outcome committed, that one message is sent again,
with the same Message-ID, once its lease expires (``RECOGNITION_MAIL_LEASE_SECONDS``). The
outcomes of the messages before it are committed; the messages after it, still leased to the
dead sender, are claimed by any sender when the lease expires. The lease must outlast one
delivery (a few SMTP timeouts), and the senders' clocks must agree to well within it: a
message whose lease ran out while it was being sent may be sent twice.

Without an SMTP host (development) messages are written to the log and marked sent; the
outbox page shows them.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

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
    """One SMTP connection for a batch, opened lazily; every socket wait is bounded by
    ``RECOGNITION_MAIL_TIMEOUT``."""

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
        timeout = c["RECOGNITION_MAIL_TIMEOUT"]
        if security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
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
    """How long to wait after the ``attempts``-th failed delivery: doubling, at most an hour."""
    # Bounded before it is a timedelta: days of hourly retries would overflow one.
    return min(MAX_BACKOFF, timedelta(minutes=2 ** min(attempts - 1, 16)))


def gives_up(attempts: int, created_at: datetime, at: datetime) -> bool:
    """Whether a message whose ``attempts``-th delivery failed ``at`` is failed for good.

    The retry window decides: a message keeps being retried until
    ``RECOGNITION_MAIL_RETRY_HOURS`` have passed since it was queued, so an SMTP outage
    shorter than that fails nothing. ``RECOGNITION_MAIL_MAX_ATTEMPTS`` is the least number of
    attempts before "failed": a message that was not tried within the window (no sender was
    running, or the secretariat queued it again) still gets that many.
    """
    config = current_app.config
    window = timedelta(hours=config["RECOGNITION_MAIL_RETRY_HOURS"])
    return at - created_at >= window and attempts >= config["RECOGNITION_MAIL_MAX_ATTEMPTS"]


#: What the sender loop drains besides the mail (webhook deliveries): functions of no
#: argument that deliver one batch and return its counts.
_queues: list[Callable[[], dict[str, int]]] = []


def drain_too(deliver: Callable[[], dict[str, int]]) -> None:
    """Have the sender loop deliver another queue kept like the outbox (same columns: status,
    attempts, next_attempt_at, lease_until, lease_owner, last_error, created_at)."""
    if deliver not in _queues:
        _queues.append(deliver)


def _lease_free(now: datetime, model: Any = OutboxMessage):
    return sa.or_(model.lease_until.is_(None), model.lease_until <= now)


def _update(*where, model: Any = OutboxMessage, **values) -> int:
    """UPDATE the rows of ``model`` (the outbox) matching ``where``; return how many rows it
    changed."""
    result = db.session.execute(
        sa.update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount


def claim(
    limit: int, now: datetime, owner: str, lease: timedelta, model: Any = OutboxMessage
) -> list[int]:
    """Lease up to ``limit`` due messages to ``owner`` and commit; return their ids, in order.

    The transaction is this one statement: on PostgreSQL its row locks (``SKIP LOCKED``: a
    row another sender is claiming is passed over, not waited for) end with the commit.
    """
    due = (
        sa.select(model.id)
        .where(
            model.status == "queued",
            model.next_attempt_at <= now,
            _lease_free(now, model),
        )
        .order_by(model.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    try:
        claimed = db.session.scalars(
            sa.update(model)
            # The lease is checked again by the UPDATE itself: on SQLite, under the write lock.
            .where(model.id.in_(due), _lease_free(now, model))
            .values(lease_until=now + lease, lease_owner=owner)
            .returning(model.id)
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return sorted(claimed)


def send_due(limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Send one batch of due messages, committing each outcome as it happens; return the
    counts of messages sent, to retry and failed.

    ``now`` stands still for the whole batch when given (tests step through time with it);
    by default each step reads the clock.
    """
    config = current_app.config
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    lease = timedelta(seconds=config["RECOGNITION_MAIL_LEASE_SECONDS"])
    owner = uuid.uuid4().hex
    counts = {"sent": 0, "retry": 0, "failed": 0}
    pending = deque(claim(limit, clock(), owner, lease))
    if not pending:
        return counts
    transport = Transport(config) if config["RECOGNITION_MAIL_HOST"] else None
    try:
        while pending:
            outcome = _deliver(pending.popleft(), owner, clock, lease, transport)
            if outcome is not None:
                counts[outcome] += 1
    finally:
        if transport is not None:
            transport.close()
        if pending:  # interrupted: hand back what was not tried yet, for any sender to take
            _release(pending, owner)
    return counts


def _deliver(
    message_id: int,
    owner: str,
    clock: Callable[[], datetime],
    lease: timedelta,
    transport: Transport | None,
) -> str | None:
    """Take, send and record one claimed message; return its outcome, None if not ours."""
    try:
        taken = _update(
            OutboxMessage.id == message_id,
            OutboxMessage.lease_owner == owner,
            OutboxMessage.status == "queued",
            lease_until=clock() + lease,
        )
        if not taken:  # our lease expired and another sender claimed it
            db.session.commit()
            return None
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        attempts, created_at = message.attempts + 1, message.created_at
        error: Exception | None = None
        try:
            email = build_email(message)
        except Exception as exc:  # an unbuildable message is its own failure, not the batch's
            log.exception("outbox: cannot build message %s", message_id)
            email, error = None, exc
        db.session.commit()  # nothing stays open while the SMTP server is talked to
    except BaseException:
        db.session.rollback()
        raise
    if email is not None:
        error = _send(email, transport)
    at = clock()
    values: dict[str, Any] = {"attempts": attempts}
    if error is None:
        outcome = "sent"
        values.update(status="sent", sent_at=utcnow(), last_error="")
    else:
        values["last_error"] = f"{type(error).__name__}: {error}"[:2000]
        if gives_up(attempts, created_at, at):
            outcome = "failed"
            values["status"] = "failed"
        else:
            outcome = "retry"
            values["next_attempt_at"] = at + backoff(attempts)
    return outcome if _record(message_id, owner, values) else None


def _send(email: EmailMessage, transport: Transport | None) -> Exception | None:
    """Hand one e-mail to the SMTP server (to the log without one); return why it failed."""
    try:
        if transport is None:
            log.info("mail to %s: %s", email["To"], email["Subject"])
        else:
            transport.send(email)
    except Exception as exc:
        # Any failure is this message's failure (retried, then shown as failed): one message
        # that cannot be sent must not block the rest of the queue.
        if not isinstance(exc, smtplib.SMTPException | OSError):
            log.exception("outbox: cannot send message %s", email["Message-ID"])
        if transport is not None:
            transport.close()
        return exc
    return None


def _record(
    message_id: int, owner: str, values: dict[str, Any], model: Any = OutboxMessage
) -> bool:
    """Commit one message's outcome and free its lease, if the lease is still ours."""
    try:
        recorded = _update(
            model.id == message_id,
            model.lease_owner == owner,
            model=model,
            lease_until=None,
            lease_owner=None,
            **values,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    if not recorded:
        log.warning(
            "outbox: the lease on message %s expired while it was sent; another sender has it",
            message_id,
        )
    return bool(recorded)


def _release(message_ids: Iterable[int], owner: str, model: Any = OutboxMessage) -> None:
    """Free the leases of claimed messages not tried (best effort: leases expire anyway)."""
    try:
        _update(
            model.id.in_(list(message_ids)),
            model.lease_owner == owner,
            model=model,
            lease_until=None,
            lease_owner=None,
        )
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.warning("outbox: claimed messages stay leased until their lease expires")


def send_loop(interval: float = 5.0, once: bool = False) -> None:
    """Keep sending (a worker process).

    A batch the database interrupts (a restart, say) is logged and the next one tried after
    the interval: the outcomes already committed stay, the message in flight and those left
    leased go out again when their lease expires. The worker outlives the outage instead of
    leaving the queue unsent.
    """
    while True:
        for deliver in (send_due, *_queues):
            try:
                counts = deliver()
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


def _requeue(*where) -> int:
    return _update(
        *where,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
        lease_until=None,
        lease_owner=None,
    )


def retry(message: OutboxMessage) -> None:
    """Queue a failed message again (the secretariat's retry): a fresh round of attempts."""
    _requeue(OutboxMessage.id == message.id, OutboxMessage.status == "failed")
    db.session.expire(message)


def retry_failed() -> int:
    """Queue every failed message again (the secretariat's "retry all"); return how many."""
    return _requeue(OutboxMessage.status == "failed")
