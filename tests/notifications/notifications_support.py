"""Helpers for the notification tests: nominations every guard lets through, the outbox as
the database holds it, an SMTP server that collects what it receives, one that accepts
connections and never answers, and free ports."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections.abc import Callable
from email import policy
from email.message import EmailMessage

import factories
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session

from recognition.extensions import db
from recognition.notifications.models import OutboxMessage


def make_nomination(state: str = "draft", **fields):
    """A complete Sasakawa nomination in ``state`` that fire() alone can move on."""
    return factories.make_ready_nomination(state, **fields)


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
    """An aiosmtpd handler keeping every message it accepts; it can refuse the next few.

    ``on_receive(count)`` runs (in the server's thread) after each message it keeps, before
    the sender hears the answer. ``hold_at = n`` keeps the n-th message and then delays the
    answer until ``release`` is set: ``holding`` tells that the sender waits for it (the
    message is delivered, the sender does not know yet)."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list = []
        self.refused: list[EmailMessage] = []
        self.refuse_next = 0
        self.delay = 0.0
        self.on_receive: Callable[[int], None] | None = None
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
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
            count = len(self.received)
        if self.on_receive is not None:
            self.on_receive(count)
        if count == self.hold_at:
            self.holding.set()
            for _ in range(600):  # at most a minute, should the test never release it
                if self.release.is_set():
                    break
                await asyncio.sleep(0.1)
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


class HungServer:
    """A TCP server on 127.0.0.1 that accepts connections and never says a word (no SMTP
    greeting): a mail server that hangs. stop() closes every connection it accepted."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.settimeout(0.05)  # accept() wakes up to see whether to stop
        self.accepted: list[socket.socket] = []
        self.connected = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> HungServer:
        self._thread.start()
        return self

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _address = self.listener.accept()
            except TimeoutError:
                continue
            self.accepted.append(conn)
            self.connected.set()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self.listener.close()
        for conn in self.accepted:
            conn.close()
