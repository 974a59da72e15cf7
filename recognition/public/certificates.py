"""Certificates as PDF, in the nomination's language (Arabic shaped, Chinese readable), and
their verification.

Each announced recognition gets a short random code, once; its certificate prints the code,
the address ``RECOGNITION_BASE_URL/verify/<code>`` and a QR code of that address, so whoever
holds the certificate can check at ``/verify/<code>`` what was awarded, to whom, when and by
whom, or learn that the recognition was withdrawn. Who issues and signs the certificates is
the programme's ``issuer`` (programmes/*.yaml).
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..i18n import gettext as _
from ..nominations.models import Nomination
from ..programmes.definition import IMAGE_TYPES, Programme
from ..workflow.registry import has_tag
from ..workflow.security import require
from . import bp

if TYPE_CHECKING:
    import segno

#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
#: Draws before giving up on finding a free code (31**10 codes: a second draw is rare).
CODE_ATTEMPTS = 8
#: Dashes and spaces readers type or copy between the groups of a code.
CODE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.]+")


def new_code() -> str:
    """A random verification code (not yet checked for uniqueness)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(typed: str) -> str | None:
    """The code as stored, from what a reader typed (any case, with spaces or dashes); None
    when it cannot be a code."""
    code = CODE_SEPARATORS.sub("", typed or "").upper()
    if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code):
        return code
    return None


def display_code(code: str) -> str:
    """The code in two groups, as the certificate prints it (``ABCDE-FGHJK``)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def verification_url(code: str) -> str:
    """The address printed on the certificate: the configured site, never the request's Host."""
    return f"{current_app.config['RECOGNITION_BASE_URL'].rstrip('/')}/verify/{code}"


def ensure_verification_code(nomination: Nomination) -> str:
    """Give ``nomination`` its verification code if it has none yet; return the code.

    Called when a nomination is announced. The code is written once: a single UPDATE that only
    fills an empty code, so two requests racing on one nomination agree on the first code, and
    the nomination's version (what a user editing it saw) is left alone. A code already taken
    is drawn again. Flushes, never commits.
    """
    if nomination.verification_code:
        return nomination.verification_code
    db.session.flush()
    table = Nomination.__table__
    for _attempt in range(CODE_ATTEMPTS):
        code = new_code()
        taken = sa.select(table.c.id).where(table.c.verification_code == code)
        if db.session.execute(taken).first() is not None:
            continue
        fill = (
            sa.update(table)
            .where(table.c.id == nomination.id, table.c.verification_code.is_(None))
            .values(verification_code=code)
        )
        # No savepoint around it: on SQLite releasing one that began the transaction commits.
        # The unique index still refuses the same code drawn at the same instant for another
        # nomination (one chance in 31**10), failing that request rather than the data.
        if not db.session.execute(fill).rowcount:  # someone else gave it its code first
            code = db.session.execute(
                sa.select(table.c.verification_code).where(table.c.id == nomination.id)
            ).scalar_one()
        set_committed_value(nomination, "verification_code", code)
        return code
    raise RuntimeError(f"no free verification code after {CODE_ATTEMPTS} draws")


def qr_code(url: str) -> segno.QRCode:
    """The QR code of ``url`` (error correction M: still readable when a little worn)."""
    import segno  # loaded by the worker that draws a certificate, not by every worker

    return segno.make(url, error="m", micro=False)


def qr_png_data_uri(url: str) -> str:
    """The QR code of ``url`` as a PNG data URI, with the quiet zone the standard asks for."""
    return qr_code(url).png_data_uri(scale=8, border=4)


@lru_cache(maxsize=32)
def image_data_uri(path: Path) -> str:
    """An issuer's image file as a data URI (the files are checked when programmes load)."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{IMAGE_TYPES[path.suffix.lower()]};base64,{data}"


def announcement_date(nomination: Nomination) -> datetime | None:
    """When the recognition was announced (the call's announcement for older records)."""
    return nomination.announced_at or (
        nomination.call.announced_at if has_tag(nomination, "public") else None
    )


def format_day(value: datetime | None) -> str:
    """A day in the current locale (long form), in UTC: the certificate and its verification
    page give the same date wherever they are read."""
    return format_date(value, "long", rebase=False) if value else ""


def named_areas(programme: Programme, numbers: Iterable[int]) -> list[tuple[int, str]]:
    """Areas of strength as (number, title msgid), titled by the programme's edition of the
    Ten Essentials (a number means a different Essential in 2010 and in 2017); in order,
    numbers the edition does not have left out."""
    found = sorted({n for n in numbers if isinstance(n, int) and not isinstance(n, bool)})
    edition = programme.essentials
    if edition is None:  # a definition read without its folder: numbers only
        return [(n, "") for n in found if 1 <= n <= 10]
    return [(n, edition.title_of(n)) for n in found if edition.title_of(n)]


def awarded(nomination: Nomination) -> tuple[str, list[tuple[int, str]]]:
    """What the recognition awards: the level's title, and the areas of strength (numbers and
    titles of the programme's edition of the Essentials, msgids)."""
    programme = nomination.programme
    level = programme.level(nomination.award_level) if nomination.award_level else None
    areas = named_areas(programme, nomination.areas_of_strength or ())
    return (level.title if level else ""), areas


def issuer_images(programme) -> dict[str, str]:
    issuer = programme.issuer
    images = {}
    if issuer and issuer.logo:
        images["logo"] = image_data_uri(issuer.logo)
    if issuer and issuer.signatory.signature:
        images["signature"] = image_data_uri(issuer.signatory.signature)
    return images


def render_certificate(nomination: Nomination) -> bytes:
    """The certificate as PDF, in the nomination's language. Without a verification code
    (before the announcement) it is marked as a preview."""
    from weasyprint import HTML  # heavy: loaded when a certificate is first drawn

    programme = nomination.programme
    # A recognition no longer public keeps its code, but the certificate no longer offers it.
    code = nomination.verification_code if has_tag(nomination, "public") else None
    url = verification_url(code) if code else ""
    level, areas = awarded(nomination)
    with force_locale(nomination.language):
        html = render_template(
            "public/certificate.html",
            nomination=nomination,
            programme=programme,
            issuer=programme.issuer,
            images=issuer_images(programme),
            call_title=nomination.call.text("title", nomination.language),
            level=level,
            areas=areas,
            announced_on=format_day(announcement_date(nomination)),
            code=display_code(code) if code else "",
            url=url,
            qr=qr_png_data_uri(url) if url else "",
        )
    return HTML(string=html).write_pdf()


@bp.get("/nominations/<int:nomination_id>/certificate.pdf")
def certificate(nomination_id: int):
    """Download the certificate of a recognised nomination (the city and the secretariat)."""
    nomination = db.get_or_404(Nomination, nomination_id)
    require("certificate", nomination)
    if has_tag(nomination, "public") and not nomination.verification_code:
        # Until the announce operation gives every recognition its code, the first download
        # after the announcement does.
        ensure_verification_code(nomination)
        db.session.commit()
    pdf = render_certificate(nomination)
    filename = f"certificate-{nomination.id}-{nomination.language}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _verify_page(status: int, **context):
    response = current_app.make_response(
        (render_template("public/verify.html", status=status, **context), status)
    )
    # A withdrawal must show at once: no cache keeps an earlier answer.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/verify")
def verify_form():
    """Where a reader types the code printed on a certificate."""
    typed = request.args.get("code")
    if typed is None:
        return _verify_page(200, typed="")
    code = normalise_code(typed)
    if code:
        return redirect(url_for("public.verify", code=code))
    if not typed.strip():
        error = _("Enter the verification code printed on the certificate.")
    else:
        error = _("This is not a verification code: it has ten letters and digits.")
    return _verify_page(400, typed=typed, error=error)


@bp.get("/verify/<path:code>")
def verify(code: str):
    """What the certificate with this code records, whether it is still valid, or that no
    certificate has this code."""
    normal = normalise_code(code)
    nomination = (
        db.session.scalar(sa.select(Nomination).where(Nomination.verification_code == normal))
        if normal
        else None
    )
    if nomination is None:
        return _verify_page(404, typed=code)
    if normal != code:  # one address per certificate, however the code was typed
        return redirect(url_for("public.verify", code=normal), 301)
    if not has_tag(nomination, "public"):
        return _verify_page(410, code=display_code(normal), withdrawn=True)
    programme = nomination.programme
    level, areas = awarded(nomination)
    return _verify_page(
        200,
        code=display_code(normal),
        nomination=nomination,
        programme=programme,
        issuer=programme.issuer,
        images=issuer_images(programme),
        call_title=nomination.call.text("title"),
        level=level,
        areas=areas,
        announced_on=format_day(announcement_date(nomination)),
    )
