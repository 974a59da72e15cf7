"""Public reads, no token needed: programmes, calls, announcements and recognised cities;
the same public projection as the public pages (announced nominations of announced calls,
nothing else of them), in the language Accept-Language asks for."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, current_app
from flask_login import current_user

from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..public.queries import (
    NOMINEE_ORDER,
    DirectoryFilters,
    announced_nominations,
    announcements,
    directory,
)
from ..public.views import recognition_label
from ..workflow.registry import has_tag, tagged
from ..workflow.security import permission_clause, require
from . import schemas as s
from .auth import ANYONE, api_blueprint
from .common import call_ref, nominee_doc, page_doc, paged_rows, programme_doc, state_doc, utc

blp = api_blueprint("api-public", "Programmes, calls, announcements and recognised cities.")


def call_doc(call: Call) -> dict[str, Any]:
    return {
        **call_ref(call),
        "theme": call.theme,
        "opens_at": utc(call.opens_at),
        "closes_at": utc(call.closes_at),
        "announced_at": utc(call.announced_at),
        "accepting": has_tag(call, "accepting"),
        "state": state_doc(call),
    }


def recognition_doc(nomination: Nomination, call: Call) -> dict[str, Any]:
    programme = current_app.extensions["programmes"].get(call.programme_id)
    level = (
        programme.level(nomination.award_level) if programme and nomination.award_level else None
    )
    return {
        "nomination_id": nomination.id,
        "nominee": nominee_doc(nomination),
        "call": call_ref(call),
        "label": recognition_label(programme, call, nomination),
        "level": {"id": level.id, "title": str(level.title)} if level else None,
        "areas_of_strength": sorted(nomination.areas_of_strength or []),
        "announced_at": utc(nomination.announced_at or call.announced_at),
        "valid_from": nomination.valid_from,
        "valid_until": nomination.valid_until,
    }


@blp.get("/programmes")
@blp.response(200, s.ProgrammeSchema(many=True))
@blp.doc(security=ANYONE)
def programmes():
    """The programmes cities may be recognised by."""
    return [programme_doc(p) for p in current_app.extensions["programmes"].values()]


@blp.get("/calls")
@blp.arguments(s.CallArgs, location="query")
@blp.response(200, s.paged(s.CallSchema, "CallPage"))
@blp.doc(security=ANYONE)
def calls(args):
    """The calls the reader may see (without a token: open, closed and announced ones), open
    ones first, then by closing date."""
    stmt = sa.select(Call).where(permission_clause(Call, "view", current_user))
    if args.get("programme"):
        stmt = stmt.where(Call.programme_id == args["programme"])
    if "accepting" in args:
        accepting = tagged(Call, "accepting")
        stmt = stmt.where(accepting if args["accepting"] else sa.not_(accepting))
    stmt = stmt.order_by(tagged(Call, "accepting").desc(), Call.closes_at.desc(), Call.id.desc())
    page = paged_rows(stmt, args)
    return page_doc(page, [call_doc(c) for c in page.items])


@blp.get("/calls/<int:call_id>")
@blp.response(200, s.CallSchema)
@blp.doc(security=ANYONE)
def call(call_id: int):
    """A call the reader may see."""
    found = db.get_or_404(Call, call_id)
    require("view", found)
    return call_doc(found)


@blp.get("/recognised")
@blp.arguments(s.RecognisedArgs, location="query")
@blp.response(200, s.paged(s.RecognitionSchema, "RecognitionPage"))
@blp.doc(security=ANYONE)
def recognition_list(args):
    """Announced recognitions, newest cycle first: filter by programme, year (the call's
    cycle), country and search text (a name, region or country)."""
    filters = DirectoryFilters(
        programme=args.get("programme"),
        year=args.get("year"),
        country=args["country"].upper() if args.get("country") else None,
        text=" ".join((args.get("q") or "").split()),
    )
    page = paged_rows(directory(filters), args, scalars=False)
    return page_doc(page, [recognition_doc(n, c) for n, c, _city in page.items])


@blp.get("/recognised/cities/<int:city_id>")
@blp.response(200, s.CityRecognitionsSchema)
@blp.doc(security=ANYONE)
def city(city_id: int):
    """A city's announced recognitions across programmes and years (404 without any)."""
    rows = db.session.execute(
        announced_nominations()
        .where(Nomination.city_id == city_id)
        .order_by(Call.cycle.desc(), Call.announced_at.desc(), Nomination.id)
    ).all()
    if not rows:
        abort(404)
    found = rows[0][2]
    return {
        "id": found.id,
        "name": found.name,
        "country": found.country,
        "region": found.region,
        "recognitions": [recognition_doc(n, c) for n, c, _city in rows],
    }


def announcement_doc(call: Call, count: int) -> dict[str, Any]:
    text = call.announcement_text()
    return {
        **call_ref(call),
        "announced_at": utc(call.announced_at),
        "text": str(text or ""),
        "language": getattr(text, "language", "") or call.source_language,
        "recognised": count,
    }


@blp.get("/announcements")
@blp.arguments(s.AnnouncementArgs, location="query")
@blp.response(200, s.paged(s.AnnouncementSchema, "AnnouncementPage"))
@blp.doc(security=ANYONE)
def announcement_list(args):
    """The announced calls, newest first, each with how many it recognised."""
    programmes = current_app.extensions["programmes"]
    programme = args.get("programme") if args.get("programme") in programmes else None
    if args.get("programme") and programme is None:
        return page_doc(paged_rows(sa.select(Call).where(sa.false()), args), [])
    page = paged_rows(announcements(programme, args.get("year")), args, scalars=False)
    return page_doc(page, [announcement_doc(c, n) for c, n in page.items])


@blp.get("/announcements/<int:call_id>")
@blp.response(200, s.AnnouncementDetailSchema)
@blp.doc(security=ANYONE)
def announcement(call_id: int):
    """An announced call: its announcement and what it recognised."""
    found = db.get_or_404(Call, call_id)
    if not has_tag(found, "public") or found.announced_at is None:
        abort(404)
    rows = db.session.execute(
        announced_nominations().where(Nomination.call_id == found.id).order_by(NOMINEE_ORDER)
    ).all()
    return {
        **announcement_doc(found, len(rows)),
        "recognitions": [recognition_doc(n, c) for n, c, _city in rows],
    }
