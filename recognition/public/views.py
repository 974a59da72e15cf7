"""Public pages, no sign-in needed, in every interface language."""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from flask import abort, current_app, make_response, render_template, request, url_for

from ..accounts.models import City
from ..config import LANGUAGES
from ..extensions import db
from ..i18n import current_language
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..web import paginate
from ..workflow.registry import has_tag, tagged
from . import bp
from .queries import (
    announced_calls,
    announced_nominations,
    announcement_language,
    announcement_text,
)


@bp.get("/recognised")
def recognised():
    """Recognised cities by programme and year."""
    programmes = current_app.extensions["programmes"]
    programme = request.args.get("programme") or None
    year = request.args.get("year") or None
    stmt = announced_nominations()
    if programme in programmes:
        stmt = stmt.where(Call.programme_id == programme)
    if year:
        stmt = stmt.where(Call.cycle == year)
    stmt = stmt.order_by(Call.cycle.desc(), Call.programme_id, City.name)
    years = [
        y
        for (y,) in db.session.execute(
            sa.select(Call.cycle)
            .where(tagged(Call, "public"))
            .distinct()
            .order_by(Call.cycle.desc())
        )
    ]
    return render_template(
        "public/recognised.html",
        page=paginate(stmt, scalars=False),
        programmes=programmes,
        programme=programme,
        year=year,
        years=years,
    )


@bp.get("/recognised/cities/<int:city_id>")
def city(city_id: int):
    """A city's public page: its recognitions and areas of strength."""
    city = db.get_or_404(City, city_id)
    rows = db.session.execute(
        announced_nominations().where(Nomination.city_id == city.id).order_by(Call.cycle.desc())
    ).all()
    if not rows:
        abort(404)
    return render_template(
        "public/city.html",
        city=city,
        rows=rows,
        programmes=current_app.extensions["programmes"],
    )


@bp.get("/announcements/<int:call_id>")
def announcement(call_id: int):
    call = db.get_or_404(Call, call_id)
    if not has_tag(call, "public"):
        abort(404)
    rows = db.session.execute(
        announced_nominations().where(Nomination.call_id == call.id).order_by(City.name)
    ).all()
    language = current_language()
    return render_template(
        "public/announcement.html",
        call=call,
        programme=call.programme,
        rows=rows,
        text=announcement_text(call, language),
        text_language=announcement_language(call, language),
    )


@bp.get("/feed.atom")
def feed():
    """An Atom feed of the announcements, in the reader's language where written."""
    calls = db.session.scalars(announced_calls().order_by(Call.announced_at.desc()).limit(50)).all()
    language = current_language()
    asked = request.args.get("lang")
    # The configured address, never the request's Host header (anyone can send one).
    base = current_app.config["RECOGNITION_BASE_URL"].rstrip("/")
    entries = [
        {
            "call": call,
            "text": announcement_text(call, language),
            "language": announcement_language(call, language),
            "url": base + url_for("public.announcement", call_id=call.id),
            "updated": call.announced_at.replace(tzinfo=UTC).isoformat(),
        }
        for call in calls
    ]
    updated = entries[0]["updated"] if entries else "2000-01-01T00:00:00+00:00"
    body = render_template(
        "public/feed.xml",
        entries=entries,
        updated=updated,
        base=base,
        # The feed a reader subscribed to keeps its language when fetched again.
        self_url=base + url_for("public.feed", lang=asked if asked in LANGUAGES else None),
        language=language,
    )
    response = make_response(body)
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
