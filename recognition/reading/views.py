"""The preview page of an evidence file, and the packet of a whole nomination.

Both read what the nomination's own download route serves, with the same check: the preview
page draws the file it fetches from that route, and the packet is for those who see the
whole file (``view_file``) only.
"""

from __future__ import annotations

import logging
import time
from typing import NoReturn

from flask import Response, abort, render_template, url_for
from flask_login import current_user

from ..extensions import db, login
from ..nominations.models import Attachment, Nomination
from ..workflow.registry import has_tag
from ..workflow.security import can
from . import bp
from .operations import build_packet, preview_kind

log = logging.getLogger(__name__)


def _refuse() -> NoReturn:
    """As the nominations' pages refuse: 404 when signed in; a signed-out visitor is asked to
    sign in, whether the nomination or file exists or not (ids reveal nothing)."""
    if not current_user.is_authenticated:
        abort(login.unauthorized())
    abort(404)


def can_read_file(user, attachment: Attachment) -> bool:
    """Whether ``user`` may read ``attachment``, as the download route decides: any file of a
    nomination whose whole file they see; a file of a public field of a nomination they may
    view, once its call is announced."""
    nomination = attachment.nomination
    if can(user, "view_file", nomination):
        return True
    return (
        can(user, "view", nomination)
        and has_tag(nomination.call, "public")
        and attachment.field in nomination.programme.public_inputs
    )


@bp.get("/nominations/<int:nomination_id>/files/<int:attachment_id>/preview")
def preview(nomination_id: int, attachment_id: int):
    """Show a PDF (drawn by PDF.js) or an image in the page, beside its download link."""
    attachment = db.session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.nomination_id != nomination_id
        or not can_read_file(current_user, attachment)
    ):
        _refuse()
    kind = preview_kind(attachment)
    if kind is None:
        abort(404)
    return render_template(
        "reading/preview.html",
        nomination=attachment.nomination,
        attachment=attachment,
        kind=kind,
        download_url=url_for(
            "nominations.download", nomination_id=nomination_id, attachment_id=attachment.id
        ),
    )


@bp.get("/nominations/<int:nomination_id>/packet.pdf")
def packet(nomination_id: int):
    """The whole nomination as one PDF to read offline: contents, answers, PDF evidence."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not can(current_user, "view_file", nomination):
        _refuse()
    started = time.perf_counter()
    built = build_packet(nomination, current_user)
    log.info(
        "packet of nomination %s: %d pages, %d bytes in %.2f s",
        nomination.id,
        built.pages,
        len(built.pdf),
        time.perf_counter() - started,
    )
    return Response(
        built.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="nomination-{nomination.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
