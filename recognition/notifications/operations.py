"""Queue notifications: render in the recipient's language, write to the outbox.

Everything here runs inside the caller's database transaction: a change and its messages
commit together or not at all.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytz
import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import _get_current_context, force_locale, get_timezone
from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..extensions import db
from ..timeutil import utcnow
from .models import OutboxMessage

log = logging.getLogger(__name__)


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an e-mail: the configured base URL and the endpoint's path."""
    base = current_app.config["RECOGNITION_BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return base + url_for(endpoint, **values)


def _message_id() -> str:
    domain = current_app.config["RECOGNITION_BASE_URL"].split("://")[-1].split("/")[0].split(":")[0]
    return f"<{uuid.uuid4().hex}@{domain or 'recognition.local'}>"


def queue(
    recipient: User,
    template: str,
    subject: Any,
    *,
    link: str = "",
    dedupe_key: str | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """Render ``emails/<template>.{txt,html}`` in the recipient's language and queue it.

    With ``dedupe_key``, a message already queued under that key is not queued again.
    """
    if dedupe_key and db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ):
        return None
    with force_locale(recipient.locale or "en"), _recipient_timezone(recipient):
        context.update(recipient=recipient, link=link, subject=str(subject))
        rendered_subject = " ".join(str(subject).split())
        body_text = render_template(f"emails/{template}.txt", **context)
        body_html = render_template(f"emails/{template}.html", **context)
    message = OutboxMessage(
        recipient_id=recipient.id,
        to_email=recipient.email,
        locale=recipient.locale or "en",
        template=template,
        subject=rendered_subject[:300],
        body_text=body_text,
        body_html=body_html,
        message_id=_message_id(),
        dedupe_key=dedupe_key,
        link=link[:500],
        status="queued",
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    if not current_app.config["RECOGNITION_MAIL_HOST"]:
        log.info(
            "mail queued (no SMTP configured) to %s: %s\n%s",
            recipient.email,
            rendered_subject,
            body_text,
        )
    return message


@contextmanager
def _recipient_timezone(recipient: User) -> Iterator[None]:
    """Format dates in the recipient's time zone, not in the zone of whoever caused the mail.

    flask-babel has force_locale but no force_timezone: its per-context cache is set for the
    block and restored after, as force_locale does for the locale.
    """
    try:
        # flask-babel converts with pytz's normalize(): a pytz zone, not a ZoneInfo.
        zone = pytz.timezone(recipient.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    except pytz.UnknownTimeZoneError:
        zone = pytz.UTC
    ctx = _get_current_context()
    saved = get_timezone()
    ctx.babel_tzinfo = zone
    try:
        yield
    finally:
        ctx.babel_tzinfo = saved


def _in_locale(user: User, text: Any, **values: Any) -> str:
    with force_locale(user.locale or "en"):
        return str(text) % values if values else str(text)


# -- transitions -------------------------------------------------------------------------------


def object_link(definition_id: str, obj: Any) -> str:
    endpoints = {
        "nomination": ("nominations.show", "nomination_id"),
        "city": ("accounts.city", "city_id"),
        "review": ("review.review", "assignment_id"),
        "call": ("programmes.call", "call_id"),
    }
    endpoint, arg = endpoints.get(definition_id, ("main.home", None))
    return absolute_url(endpoint, **({arg: obj.id} if arg else {}))


def object_title(definition_id: str, obj: Any) -> str:
    if definition_id == "nomination":
        return f"{obj.city.name} — {obj.call.title}"
    if definition_id == "review":
        return f"{obj.nomination.city.name} — {obj.nomination.call.title}"
    return getattr(obj, "name", None) or getattr(obj, "title", "")


def on_transition(obj, definition, transition, event, actor) -> None:
    """Queue the messages a transition's ``notify`` asks for (engine signal receiver)."""
    if not transition.notify:
        return
    from ..workflow.security import users_with_role
    from .messages import GENERIC, TRANSITIONS

    subject, opening = TRANSITIONS.get((definition.id, transition.id), GENERIC)
    title = object_title(definition.id, obj)
    link = object_link(definition.id, obj)
    seen: set[int] = set()
    for role in transition.notify:
        for user in users_with_role(role, obj):
            if user.id in seen or (
                actor is not None and user.id == getattr(actor, "id", None) and role != "owner"
            ):
                continue
            seen.add(user.id)
            queue(
                user,
                "transition",
                _in_locale(user, subject, title=title),
                link=link,
                opening=_in_locale(user, opening, title=title),
                comment=event.comment,
                show_comment=definition.id != "review" or role != "assignee",
            )


# -- account and review messages -----------------------------------------------------------------


def notify_registration(user: User, city) -> None:
    """Confirm the new focal point's address; tell the secretariat a city waits."""
    from ..accounts.tokens import make_token
    from ..workflow.security import users_with_role

    queue(
        user,
        "confirm_email",
        _in_locale(user, _l("Confirm your e-mail address")),
        link=absolute_url("accounts.confirm_email", token=make_token(user, "confirm")),
        city=city,
    )
    for officer in users_with_role("secretariat", city):
        queue(
            officer,
            "city_registered",
            _in_locale(officer, _l("A city awaits verification: %(city)s"), city=city.name),
            link=absolute_url("accounts.city", city_id=city.id),
            city=city,
            user=user,
        )


def _link_hours() -> int:
    return current_app.config["RECOGNITION_TOKEN_MAX_AGE"] // 3600


def notify_password_reset(user: User) -> None:
    """Send a single-use, expiring link to choose a new password."""
    from ..accounts.tokens import make_token

    queue(
        user,
        "password_reset",
        _in_locale(user, _l("Reset your password")),
        link=absolute_url("accounts.reset_password", token=make_token(user, "reset")),
        hours=_link_hours(),
    )


def notify_invitation(user: User, inviter: User, role: Any) -> None:
    """Invite a reviewer or a secretariat member: a link to choose a password."""
    from ..accounts.tokens import make_token

    queue(
        user,
        "invitation",
        _in_locale(user, _l("You are invited to Recognition")),
        link=absolute_url("accounts.accept_invitation", token=make_token(user, "invite")),
        inviter=inviter.name,
        role=_in_locale(user, role),
        hours=_link_hours(),
    )


def notify_assignment(assignment) -> None:
    reviewer = assignment.reviewer
    nomination = assignment.nomination
    queue(
        reviewer,
        "assignment",
        _in_locale(reviewer, _l("You are invited to review a nomination")),
        link=absolute_url("review.review", assignment_id=assignment.id),
        nomination=nomination,
        call=nomination.call,
    )


def queue_reminder(assignment, manual: bool = False) -> OutboxMessage | None:
    """Remind a reviewer of an outstanding review; automatic ones once per deadline."""
    call = assignment.nomination.call
    key = None if manual else f"remind:{assignment.id}:{call.review_deadline.isoformat()}"
    message = queue(
        assignment.reviewer,
        "reminder",
        _in_locale(assignment.reviewer, _l("Reminder: a review is due")),
        link=absolute_url("review.review", assignment_id=assignment.id),
        dedupe_key=key,
        nomination=assignment.nomination,
        call=call,
    )
    if message is not None and not manual:
        assignment.reminded_for = call.review_deadline
    return message


def queue_manual_reminder(call, reviewer: User) -> int:
    """The secretariat's "send a reminder": one message per outstanding assignment."""
    from ..nominations.models import Nomination
    from ..review.models import Assignment

    outstanding = db.session.scalars(
        sa.select(Assignment)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(
            Nomination.call_id == call.id,
            Assignment.reviewer_id == reviewer.id,
            Assignment.state.in_(("invited", "accepted", "reopened")),
        )
    ).all()
    for assignment in outstanding:
        queue_reminder(assignment, manual=True)
    return len(outstanding)


def queue_due_reminders(days: int, now=None) -> int:
    """Queue reminders for reviews due within ``days`` (for cron); never twice per deadline."""
    from datetime import timedelta

    from ..nominations.models import Nomination
    from ..programmes.models import Call
    from ..review.models import Assignment

    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Assignment)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .join(Call, Call.id == Nomination.call_id)
        .where(
            Assignment.state.in_(("invited", "accepted", "reopened")),
            Call.review_deadline > now,
            Call.review_deadline <= now + timedelta(days=days),
            sa.or_(
                Assignment.reminded_for.is_(None), Assignment.reminded_for != Call.review_deadline
            ),
        )
    ).all()
    sent = 0
    for assignment in due:
        if queue_reminder(assignment) is not None:
            sent += 1
    return sent


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient_id == user.id, OutboxMessage.read_at.is_(None))
        )
        or 0
    )
