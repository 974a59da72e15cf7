"""Queue notifications: render in the recipient's language, write to the outbox.

Everything here runs inside the caller's database transaction: a change and its messages
commit together or not at all.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytz
import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import _get_current_context, force_locale, get_timezone

from ..extensions import db
from ..i18n import gettext
from ..i18n import lazy_gettext as _l
from ..timeutil import utcnow
from ..workflow.registry import binding_for, object_title
from ..workflow.security import (
    reader,
    reader_fact,
    remember,
    remembered,
    users_with_role,
    users_with_role_each,
)
from .models import OutboxMessage

if TYPE_CHECKING:
    from ..accounts.models import User

log = logging.getLogger(__name__)


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an e-mail: the configured base URL and the endpoint's path (built by the
    app's URL map bound to that base, as ``url_for`` in a request to it would; without a
    request context, which costs a millisecond a link in a bulk action)."""
    base = current_app.config["RECOGNITION_BASE_URL"].rstrip("/")
    adapter = _adapter(current_app._get_current_object(), base)
    return adapter.build(endpoint, values, force_external=True)


@lru_cache(maxsize=8)
def _adapter(app: Any, base: str) -> Any:
    parts = urlsplit(base)
    return app.url_map.bind(
        parts.netloc or "localhost", script_name=parts.path or "/", url_scheme=parts.scheme
    )


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


def in_locale(user: Any, text: Any, **values: Any) -> str:
    """``text`` (a lazy or msgid string) in the user's language, filled with ``values``."""
    with force_locale(user.locale or "en"):
        translated = gettext(text) if isinstance(text, str) else str(text)
        return translated % values if values else translated


# -- transitions -------------------------------------------------------------------------------

#: What a transition's message says when its definition does not say (``message:``).
GENERIC = (_l("Update: %(title)s"), _l("%(title)s changed state."))


def before_transitions(transition, definition, objs, actor) -> None:
    """Read the people a bulk action will notify, for all its objects at once (engine
    signal receiver): ``on_transition`` then finds them remembered."""
    for role in transition.notify:
        for obj_id, users in users_with_role_each(role, objs).items():
            remember(("notified", role, definition.applies_to, obj_id), users)


def on_transition(obj, definition, transition, event, actor) -> None:
    """Queue the messages a transition's ``notify`` asks for (engine signal receiver).

    The actor is told only when the transition gives a receipt; the comment is quoted unless
    the transition keeps it from those it notifies. Words and links come from the workflow
    definition and the object's binding, so any bound workflow notifies the same way.
    """
    if not transition.notify:
        return
    subject = transition.subject or GENERIC[0]
    opening = transition.opening or GENERIC[1]
    link = absolute_url(binding_for(obj).endpoint, **{binding_for(obj).arg: obj.id})
    seen: set[int] = set()
    if actor is not None and not transition.receipt:
        seen.add(getattr(actor, "id", None))
    for role in transition.notify:
        key = ("notified", role, definition.applies_to, obj.id)
        for user in remembered(key, lambda r=role: users_with_role(r, obj)):
            if user.id in seen:
                continue
            seen.add(user.id)
            with force_locale(user.locale or "en"):  # a call's title in the recipient's language
                title = str(object_title(obj))
            queue(
                user,
                "transition",
                in_locale(user, subject, title=title),
                link=link,
                opening=in_locale(user, opening, title=title),
                comment=event.comment,
                show_comment=transition.notify_comment,
            )


reader_fact(
    "unread",
    lambda user_id: (
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient_id == user_id, OutboxMessage.read_at.is_(None))
        .scalar_subquery()
    ),
    lambda value: value or 0,
)


def unread_count(user) -> int:
    """The user's unread messages (read with the user, once per request)."""
    if not user.is_authenticated:
        return 0
    return reader("unread", user)
