"""The referees' e-mails: the request with its link, and reminders with a new link.

A referee has no account: the message goes to the address the authors typed, in the language
they chose for the referee. Only the token's hash is stored, so a reminder cannot repeat the
first link: it carries a new one, and the earlier links stop working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..notifications.models import OutboxMessage
from ..notifications.operations import absolute_url, in_locale, queue
from ..timeutil import utcnow
from ..workflow.registry import tagged
from .models import Letter
from .tokens import new_token, token_hash


@dataclass(frozen=True)
class Referee:
    """The recipient of a referee's e-mail, as the outbox needs one (no account: no id)."""

    name: str
    email: str
    locale: str
    id: None = None
    timezone: None = None


def referee_of(letter: Letter) -> Referee:
    return Referee(letter.referee_name, letter.referee_email, letter.language)


def _context(letter: Letter, expires_at: datetime | None) -> dict:
    nomination = letter.nomination
    return {
        "letter": letter,
        "nomination": nomination,
        "nominee_name": nomination.nominee_name(letter.language),
        "call": nomination.call,
        "programme": nomination.programme,
        "requester_name": letter.requested_by.name if letter.requested_by else "",
        "expires_at": expires_at,
    }


def queue_request(letter: Letter, token: str) -> OutboxMessage | None:
    """Ask the referee for the letter: the link to write or upload it, without an account."""
    referee = referee_of(letter)
    nominee = letter.nomination.nominee_name(letter.language)
    return queue(
        referee,
        "letter_request",
        in_locale(referee, _l("Please write a letter of support for %(nominee)s"), nominee=nominee),
        link=absolute_url("letters.respond", token=token),
        **_context(letter, letter.expires_at),
    )


def remind(letter: Letter, *, automatic: bool = False, now: datetime | None = None):
    """Remind the referee with a new link (the earlier ones stop working); return the message
    queued, or None when an automatic reminder was already queued today.

    A reminder the authors send gives the link a new validity period; an automatic one keeps
    the link's expiry, so that reminders stop when the request expires.
    """
    now = now or utcnow()
    token = new_token()
    expires_at = letter.expires_at
    if not automatic:
        expires_at = now + timedelta(days=current_app.config["RECOGNITION_LETTER_DAYS"])
    referee = referee_of(letter)
    nominee = letter.nomination.nominee_name(letter.language)
    message = queue(
        referee,
        "letter_reminder",
        in_locale(referee, _l("Reminder: a letter of support for %(nominee)s"), nominee=nominee),
        link=absolute_url("letters.respond", token=token),
        dedupe_key=f"letter-reminder:{letter.id}:{now.date().isoformat()}" if automatic else None,
        **_context(letter, expires_at),
    )
    if message is not None:
        letter.token_hash = token_hash(token)
        letter.expires_at = expires_at
        letter.reminded_at = now
        db.session.flush()
    return message


def queue_due_letter_reminders(days: int, now: datetime | None = None) -> int:
    """Remind the referees asked more than ``days`` days ago who have not answered, at most
    once every ``days`` days, while their link is valid (for cron)."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    due = db.session.scalars(
        sa.select(Letter)
        .where(
            tagged(Letter, "awaited"),
            Letter.requested_at <= since,
            sa.or_(Letter.reminded_at.is_(None), Letter.reminded_at <= since),
            sa.or_(Letter.expires_at.is_(None), Letter.expires_at > now),
        )
        .order_by(Letter.id)
    ).all()
    return sum(1 for letter in due if remind(letter, automatic=True, now=now) is not None)
