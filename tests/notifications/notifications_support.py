"""Helpers for the notification tests: nominations every guard lets through, the outbox as
the database holds it, an SMTP server that collects what it receives, and free ports."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email import policy
from email.message import EmailMessage

import factories
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session

from recognition.extensions import db
from recognition.notifications.models import OutboxMessage
from recognition.timeutil import utcnow

#: Building a programme's form to check completeness trips a wtforms deprecation warning in
#: recognition/programmes/formbuilder.py (not ours); tests that submit ignore exactly that.
FORMBUILDER_WARNING = pytest.mark.filterwarnings(
    "ignore:Passing SelectField choices as tuples:DeprecationWarning"
)

#: A complete Sasakawa Award nomination (its nomination letter is attached below).
COMPLETE_ANSWERS = {
    "nominee_type": "government",
    "nominee_name": "City civil protection office",
    "nominee_country": "FR",
    "work_summary": "Twenty years of flood risk reduction.",
    "concrete_results": "No deaths in the last three floods.",
    "acting_ahead": "Early warning by text message.",
    "sustainability": "Copied by four neighbouring towns.",
}


def make_nomination(state: str = "draft", **fields):
    """A complete Sasakawa nomination in ``state``, in an open call of a verified city.

    The dates an operation records beside a transition (submitted, decided) are set already,
    so that fire() alone can move it on without breaking a database constraint.
    """
    from recognition.nominations.models import Attachment

    now = utcnow()
    # A recognised nomination is published with its call (guard call_is_announced).
    call_state = "announced" if state == "recognised" else "open"
    fields.setdefault("call", factories.make_call(programme_id="sasakawa_award", state=call_state))
    fields.setdefault("city", factories.make_city(state="verified"))
    fields.setdefault("answers", dict(COMPLETE_ANSWERS))
    fields.setdefault("submitted_at", now)
    if "decided_by_id" not in fields:
        fields["decided_by_id"] = factories.make_user(password=None).id
        fields["decided_at"] = now
    nomination = factories.make_nomination(state=state, **fields)
    db.session.add(
        Attachment(
            nomination=nomination,
            field="nomination_letter",
            filename="letter.pdf",
            sha256="0" * 64,
            mime="application/pdf",
            size=1000,
        )
    )
    db.session.flush()
    return nomination


def outbox(**where) -> list[OutboxMessage]:
    """Messages as committed in the database (a separate connection), oldest first."""
    with Session(db.engine, expire_on_commit=False) as session:
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(OutboxMessage, name) == value)
        return list(session.scalars(stmt))


def queued_in_session(**where) -> list[OutboxMessage]:
    """Messages the test's own session holds (flushed, maybe not committed), oldest first."""
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(stmt))


def free_port() -> int:
    """A TCP port nothing listens on now (aiosmtpd cannot be started on port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """An aiosmtpd handler keeping every message it accepts; it can refuse the next few."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list = []
        self.refused: list[EmailMessage] = []
        self.refuse_next = 0
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused.append(parsed)
                return "451 4.3.0 Try again later"
            self.received.append(parsed)
            self.envelopes.append(envelope)
        return "250 2.0.0 OK"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.received]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 for a test: start(), collect, stop()."""

    def __init__(self, port: int | None = None, **smtp_options) -> None:
        self.port = port or free_port()
        self.handler = Collector()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **smtp_options
        )

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[EmailMessage]:
        return self.handler.received

    def message_ids(self) -> list[str]:
        return self.handler.message_ids()
