"""Each user's notifications; the secretariat's view of outgoing mail, with retry."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import gettext as _
from ..i18n import ngettext
from ..timeutil import utcnow
from ..web import paginate
from ..workflow.security import forget_roles, require
from . import bp
from .models import OutboxMessage
from .sender import retry, retry_failed

#: Messages whose link sets a password or confirms an address: whoever holds the link holds
#: the account. Once real mail is sent, only the recipient sees them in the application.
#: Messages whose link acts for their recipient (a sign-in, a referee's single-use letter
#: form): their bodies are not shown on the outgoing-mail page once real mail is sent.
PERSONAL_TEMPLATES = frozenset(
    {"confirm_email", "password_reset", "invitation", "letter_request", "letter_reminder"}
)


@bp.get("/notifications")
@login_required
def inbox():
    stmt = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient_id == current_user.id)
        .order_by(OutboxMessage.id.desc())
    )
    return render_template("notifications/inbox.html", page=paginate(stmt))


@bp.get("/notifications/<int:message_id>")
@login_required
def open_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if message.recipient_id != current_user.id:
        abort(404)
    if message.read_at is None:
        message.read_at = utcnow()
        db.session.commit()
        forget_roles()  # the menu's unread count
    return render_template("notifications/message.html", message=message)


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.recipient_id == current_user.id, OutboxMessage.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    flash(_("All notifications are marked as read."), "info")
    return redirect(url_for("notifications.inbox"))


@bp.get("/secretariat/outbox")
@login_required
def outbox():
    """Outgoing mail: queued, sent and failed messages (the "mail sent" page in development)."""
    require("view_outbox")
    status = request.args.get("status") or None
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in ("queued", "sent", "failed"):
        stmt = stmt.where(OutboxMessage.status == status)
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "notifications/outbox.html", page=paginate(stmt), status=status, counts=counts
    )


@bp.get("/secretariat/outbox/<int:message_id>")
@login_required
def outbox_message(message_id: int):
    """One outgoing message, as sent; a personal link is hidden once mail really goes out.

    Without SMTP (development) this page is the only way to read mail, links included; with
    SMTP, showing a password-reset link here would let staff take over anyone's account.
    """
    require("view_outbox")
    message = db.get_or_404(OutboxMessage, message_id)
    personal = message.template in PERSONAL_TEMPLATES and bool(
        current_app.config["RECOGNITION_MAIL_HOST"]
    )
    return render_template(
        "notifications/message.html", message=message, admin=True, personal=personal
    )


@bp.post("/secretariat/outbox/<int:message_id>/retry")
@login_required
def retry_message(message_id: int):
    require("view_outbox")
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status != "failed":
        flash(_("Only failed messages can be retried."), "warning")
    else:
        retry(message)
        db.session.commit()
        flash(_("The message is queued again."), "success")
    return redirect(url_for("notifications.outbox", status="failed"))


@bp.post("/secretariat/outbox/retry-failed")
@login_required
def retry_all_failed():
    """Queue every failed message again, e.g. once the mail server works after an outage."""
    require("view_outbox")
    count = retry_failed()
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)d failed message is queued again.",
                "%(num)d failed messages are queued again.",
                count,
            ),
            "success",
        )
    else:
        flash(_("No message has failed."), "info")
    return redirect(url_for("notifications.outbox", status="queued"))


def demo_mailbox_open() -> bool:
    """Whether the demo's local mailbox is served: asked for (RECOGNITION_DEMO_MAILBOX) and
    no mail server configured, so that no real mail's link is ever shown to all."""
    config = current_app.config
    return bool(config.get("RECOGNITION_DEMO_MAILBOX")) and not config["RECOGNITION_MAIL_HOST"]


@bp.app_context_processor
def _demo_mailbox() -> dict:
    return {"demo_mailbox_open": demo_mailbox_open}


@bp.get("/mailbox")
def mailbox():
    """The demo's local mailbox: every message the site queued, newest first, with its text
    and link, without signing in; ``?to=`` narrows it to one address. Not found unless the
    demo mailbox is on and no SMTP host is set."""
    if not demo_mailbox_open():
        abort(404)
    to = (request.args.get("to") or "").strip()[:254]
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if to:
        stmt = stmt.where(sa.func.lower(OutboxMessage.to_email) == to.lower())
    response = make_response(
        render_template("notifications/mailbox.html", page=paginate(stmt), to=to)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
