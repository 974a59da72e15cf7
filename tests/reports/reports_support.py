"""Helpers for the annual report tests: states by tag, opening reports at a moment, the
outbox and the database as committed, page text, a query counter."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape

import factories
import sqlalchemy as sa
from database_support import recorded_statements as count_queries  # noqa: F401
from sqlalchemy.orm import Session

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.notifications.models import OutboxMessage
from recognition.reports.models import AnnualReport
from recognition.reports.operations import open_due_reports
from recognition.timeutil import clock_at
from recognition.workflow.registry import states_tagged

#: The test programme whose recognised cities report every year for three years.
REPORTING = "reporting_test"


def current_state() -> str:
    """A nomination state that is a current recognition."""
    return states_tagged(Nomination, "current")[0]


def past_state() -> str:
    """A nomination state that is a recognition no longer current (expired, renewed)."""
    return states_tagged(Nomination, "past")[0]


def open_at(moment: datetime) -> int:
    """Open the reports due at ``moment`` (naive UTC) and commit; how many were opened."""
    with clock_at(moment):
        opened = open_due_reports()
    db.session.commit()
    return opened


def reports(**where) -> list[AnnualReport]:
    """Reports as committed (a separate connection), by recognition and year."""
    with Session(db.engine, expire_on_commit=False) as session:
        stmt = sa.select(AnnualReport).order_by(AnnualReport.nomination_id, AnnualReport.year)
        for name, value in where.items():
            stmt = stmt.where(getattr(AnnualReport, name) == value)
        return list(session.scalars(stmt))


def outbox(**where) -> list[OutboxMessage]:
    """Messages as committed, oldest first."""
    with Session(db.engine, expire_on_commit=False) as session:
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(OutboxMessage, name) == value)
        return list(session.scalars(stmt))


def text_of(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities read, spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def error_after(html: str, field_id: str) -> str | None:
    """The error message shown beside the field ``field_id``, if any."""
    found = re.search(
        rf'<div id="{field_id}-error" class="invalid-feedback d-block">([^<]*)<', html
    )
    return unescape(found.group(1)) if found else None


def complete(**changes) -> dict:
    """What the form sends for a complete report."""
    data = {
        "language": "es",
        "peer_exchanges": "Mentoría a Cusco y Arequipa sobre alerta temprana.",
        "study_visits": "Visita de una delegación de Quito a nuestros refugios.",
        "tools": "",
        "shared_with": "Cusco (PE)\nArequipa (PE)\nQuito (EC)",
        "action": "submit",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def recognition(city, programme_id=REPORTING, valid_from=date(2027, 3, 15), state=None, **kw):
    """A current recognition of ``city`` (three years from ``valid_from``), flushed."""
    call = factories.make_call(programme_id, state="announced")
    return factories.make_nomination(
        call,
        city,
        state=state or current_state(),
        valid_from=valid_from,
        valid_until=valid_from.replace(year=valid_from.year + 3) - timedelta(days=1),
        **kw,
    )
