"""Helpers for the letters tests: asking a referee as the panel does, reading the outbox,
posting the referee's form, and what the database holds."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from factories import pdf_bytes  # noqa: F401 - re-exported
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from recognition.extensions import db
from recognition.letters.models import Letter
from recognition.letters.operations import RefereeDetails, ask
from recognition.notifications.models import OutboxMessage
from recognition.workflow.history import WorkflowEvent

#: The smallest bytes sniffed as a PNG image (not a PDF).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32


def referee(name="Rania Referee", email="rania@partners.example", language="ar", org="ONG"):
    return RefereeDetails(name=name, organisation=org, email=email, language=language)


def ask_letter(nomination, field_id, author, **details) -> tuple[Letter, str]:
    """Ask a referee (flushes; the caller commits): the letter and its link's token."""
    field = next(f for s in nomination.programme.sections for f in s.fields if f.id == field_id)
    return ask(nomination, field, referee(**details), author)


def outbox(**where) -> list[OutboxMessage]:
    """Messages as committed (a separate connection), oldest first."""
    with Session(db.engine, expire_on_commit=False) as session:
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(OutboxMessage, name) == value)
        return list(session.scalars(stmt))


def link_path(message: OutboxMessage) -> str:
    """The path of a message's link (the site's base URL stripped)."""
    return urlsplit(message.link).path


def stored(letter_id: int) -> Letter:
    """The letter as committed (a separate connection)."""
    with Session(db.engine, expire_on_commit=False) as session:
        return session.get(Letter, letter_id)


def history_count() -> int:
    with Session(db.engine) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(WorkflowEvent))


def upload(data: bytes, filename: str, content_type: str = "application/pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def post_multipart(client, url: str, data: dict, **kwargs):
    """POST ``data`` as multipart/form-data, encoded in memory (no spooled temporary file)."""
    boundary, body = encode_multipart(data)
    return client.post(
        url, data=body, content_type=f'multipart/form-data; boundary="{boundary}"', **kwargs
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def field_error(response, field_id: str) -> list[str]:
    """The error messages shown beside a form field (its ``<id>-error`` elements)."""
    return re.findall(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', text(response))
