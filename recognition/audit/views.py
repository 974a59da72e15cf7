"""The decision dossier's downloads (JSON, and the PDF that carries it), and their links on
a nomination's page, for those who may read the audit log."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template
from flask_login import login_required

from ..extensions import db
from ..nominations.models import Nomination
from ..panels import panel
from ..workflow.security import require
from . import bp
from .dossier import build, to_json


@panel("nominations.show", "audit/_dossier_links.html", order=95)
def dossier_panel(nomination: Nomination) -> dict[str, Any]:
    return {}  # the template asks ``view_audit`` itself: no query on the page


def _nomination(nomination_id: int) -> Nomination:
    require("view_audit")
    return db.get_or_404(Nomination, nomination_id)


def _attachment(name: str, mimetype: str, body: bytes) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/nominations/<int:nomination_id>/dossier.json")
@login_required
def dossier_json(nomination_id: int):
    """The dossier as JSON, to keep and to check offline."""
    nomination = _nomination(nomination_id)
    return _attachment(
        f"dossier-{nomination.id}.json", "application/json", to_json(build(nomination))
    )


@bp.get("/nominations/<int:nomination_id>/dossier.pdf")
@login_required
def dossier_pdf(nomination_id: int):
    """The dossier to read, as PDF, with its JSON attached (the offline check reads it)."""
    from weasyprint import HTML, Attachment  # heavy: loaded when a dossier is first drawn

    nomination = _nomination(nomination_id)
    dossier = build(nomination)
    body = to_json(dossier)
    html = render_template("audit/dossier.html", dossier=dossier, nomination=nomination)
    pdf = HTML(string=html).write_pdf(
        attachments=[Attachment(string=body, name="dossier.json", description="dossier")]
    )
    return _attachment(f"dossier-{nomination.id}.pdf", "application/pdf", pdf)
