"""Certificates as PDF, in the nomination's language (Arabic shaped, Chinese readable)."""

from __future__ import annotations

from flask import Response, render_template
from flask_babel import force_locale

from ..extensions import db
from ..nominations.models import Nomination
from ..workflow.security import require
from . import bp


def render_certificate(nomination: Nomination) -> bytes:
    from weasyprint import HTML  # heavy: loaded when a certificate is first drawn

    programme = nomination.programme
    with force_locale(nomination.language):
        html = render_template(
            "public/certificate.html",
            nomination=nomination,
            programme=programme,
            essentials={c.essential: c.title for c in programme.rubric.criteria if c.essential},
        )
    return HTML(string=html).write_pdf()


@bp.get("/nominations/<int:nomination_id>/certificate.pdf")
def certificate(nomination_id: int):
    """Download the certificate of a recognised nomination (the city and the secretariat)."""
    nomination = db.get_or_404(Nomination, nomination_id)
    require("certificate", nomination)
    pdf = render_certificate(nomination)
    filename = f"certificate-{nomination.id}-{nomination.language}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
