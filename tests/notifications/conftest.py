"""Fixtures for the notification tests: SMTP servers (up, down, hung, with TLS), the app
pointed at them, and a certificate the sender trusts for the TLS tests."""

from __future__ import annotations

import subprocess

import pytest
from notifications_support import HungServer, SmtpServer, free_port


@pytest.fixture
def smtp_servers():
    """Start SMTP servers on demand: ``smtp_servers(port=None, **options)``; all stopped after."""
    started: list[SmtpServer] = []

    def start(port: int | None = None, **options) -> SmtpServer:
        server = SmtpServer(port, **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def mail_to(app, monkeypatch):
    """Point the app's sender at ``port`` on 127.0.0.1, with optional extra mail settings."""

    def point(port: int, **settings) -> None:
        monkeypatch.setitem(app.config, "RECOGNITION_MAIL_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "RECOGNITION_MAIL_PORT", port)
        for key, value in settings.items():
            monkeypatch.setitem(app.config, f"RECOGNITION_MAIL_{key.upper()}", value)

    return point


@pytest.fixture
def smtp(smtp_servers, mail_to) -> SmtpServer:
    """A plain SMTP server collecting messages, and the app sending to it."""
    server = smtp_servers()
    mail_to(server.port)
    return server


@pytest.fixture
def smtp_down(mail_to) -> int:
    """The app sends to a port where nothing listens; returns the port (to start one later)."""
    port = free_port()
    mail_to(port)
    return port


@pytest.fixture
def smtp_hung(mail_to):
    """The app sends to a server that accepts connections and never answers."""
    server = HungServer().start()
    mail_to(server.port)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (certificate file, key file)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def trusted(certificate, monkeypatch):
    """Make the sender's default SSL context trust the test certificate (and only it)."""
    cert, _key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return certificate
