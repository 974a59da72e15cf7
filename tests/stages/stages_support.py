"""Helpers for the city stage tests: a stage in a given state, the request form's data, page
text, announced recognitions and a query counter."""

from __future__ import annotations

import io
import re
from datetime import datetime
from html import unescape

import factories
from database_support import recorded_statements as count_queries  # noqa: F401

from recognition.extensions import db
from recognition.stages.models import CityStage
from recognition.timeutil import utcnow

ANNOUNCED_AT = datetime(2026, 3, 15, 9, 30)
NOTE = "We completed the Scorecard's preliminary level with every department."


def stage_at(city, state: str, **fields) -> CityStage:
    """The city's stage row in ``state``, as data loaded earlier would have it (flushed)."""
    if state.endswith("_requested"):
        fields.setdefault("requested_at", utcnow())
    stage = CityStage(city=city, city_id=city.id, state=state, **fields)
    db.session.add(stage)
    db.session.flush()
    return stage


def request_data(note: str = NOTE, file: tuple[bytes, str] | None = None, **extra) -> dict:
    """What the request form sends: the note, a file (bytes, name) if any, the version."""
    data = {"note": note, **extra}
    if file is not None:
        data["evidence"] = (io.BytesIO(file[0]), file[1])
    return data


def text_of(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities read, spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def field_error(response, field_id: str) -> str:
    """The error shown beside a field (its ``<id>-error`` element), or ""."""
    html = response.get_data(as_text=True)
    found = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', html)
    return unescape(found.group(1)) if found else ""


def recognition(call, name, country="FR", **fields):
    """An announced recognition of a new city named ``name`` in ``call``; returns the city."""
    focal = factories.make_user()
    city = factories.make_city(name=name, country=country, members=[focal])
    fields.setdefault("announced_at", call.announced_at)
    factories.make_nomination(call=call, city=city, state="announced", **fields)
    return city


def announced_call(cycle: str = "2025", **fields):
    fields.setdefault("announcement", {"en": "Congratulations"})
    return factories.make_call(state="announced", cycle=cycle, announced_at=ANNOUNCED_AT, **fields)
