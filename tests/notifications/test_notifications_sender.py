"""The sender: delivery over real SMTP (aiosmtpd on 127.0.0.1), retries with backoff, a
stable Message-ID, failure once the retry window has passed, TLS and login, and the
development default without SMTP."""

from __future__ import annotations

import gc
import logging
import ssl
from datetime import timedelta
from types import SimpleNamespace

import factories
import pytest
from notifications_support import outbox

from recognition.extensions import db
from recognition.notifications import sender
from recognition.notifications.operations import queue
from recognition.notifications.sender import backoff, send_due, send_loop
from recognition.timeutil import utcnow
from recognition.workflow.engine import fire


def queue_one(recipient=None, subject="Your city is verified", **context):
    """Queue one transition message (committed), as a transition would."""
    recipient = recipient or factories.make_user()
    context.setdefault("opening", "The secretariat verified Lyon.")
    message = queue(
        recipient,
        "transition",
        subject,
        link="http://127.0.0.1:5000/cities/1",
        comment=context.pop("comment", None),
        show_comment=True,
        **context,
    )
    db.session.commit()
    return message


# -- delivery ---------------------------------------------------------------------------------


def test_a_due_message_is_delivered_and_marked_sent(app, smtp):
    message = queue_one()
    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
    (stored,) = outbox()
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 1, "")
    assert stored.sent_at is not None
    assert smtp.message_ids() == [message.message_id]


def test_the_envelope_goes_to_the_recipient_from_the_configured_sender(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_FROM", "Campaign <campaign@example.net>")
    recipient = factories.make_user(email="focal@lyon.example.org")
    queue_one(recipient)
    send_due()
    (envelope,) = smtp.handler.envelopes
    assert envelope.mail_from == "campaign@example.net"
    assert envelope.rcpt_tos == ["focal@lyon.example.org"]


def test_the_delivered_headers_match_the_outbox_message(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_FROM", "Campaign <campaign@example.net>")
    recipient = factories.make_user(email="focal@lyon.example.org", locale="fr")
    message = queue_one(recipient, subject="Votre ville est vérifiée")
    send_due()
    (received,) = smtp.received
    assert received["Message-ID"] == message.message_id
    assert received["From"] == "Campaign <campaign@example.net>"
    assert received["To"] == "focal@lyon.example.org"
    assert received["Subject"] == "Votre ville est vérifiée"
    assert received["Content-Language"] == "fr"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Date"] is not None


def test_a_delivered_message_is_a_multipart_with_text_and_html(app, smtp):
    message = queue_one()
    send_due()
    (received,) = smtp.received
    assert received.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in received.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = received.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text.strip() == message.body_text.strip()
    assert html.strip() == message.body_html.strip()


def test_each_part_names_its_language(app, smtp):
    queue_one(factories.make_user(locale="zh"))
    send_due()
    (received,) = smtp.received
    assert [part["Content-Language"] for part in received.iter_parts()] == ["zh", "zh"]


def test_the_link_arrives_in_both_bodies(app, smtp):
    message = queue_one()
    send_due()
    (received,) = smtp.received
    assert message.link in received.get_body(("plain",)).get_content()
    assert f'href="{message.link}"' in received.get_body(("html",)).get_content()


def test_non_ascii_subjects_and_bodies_arrive_intact(app, smtp):
    recipient = factories.make_user(name="Zoë Ñúñez", locale="ru")
    queue_one(recipient, subject="Ваш город проверен: 东京", opening="São Paulo — Zürich")
    send_due()
    (received,) = smtp.received
    assert received["Subject"] == "Ваш город проверен: 东京"
    text = received.get_body(("plain",)).get_content()
    assert "São Paulo — Zürich" in text
    assert "Zoë Ñúñez" in text


def test_a_message_is_sent_only_once(app, smtp):
    queue_one()
    send_due()
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp.received) == 1


def test_every_due_message_goes_out_in_one_connection_batch(app, smtp):
    ids = {queue_one().message_id for _ in range(5)}
    assert send_due()["sent"] == 5
    assert set(smtp.message_ids()) == ids


def test_a_batch_sends_at_most_its_limit(app, smtp):
    for _ in range(3):
        queue_one()
    assert send_due(limit=2)["sent"] == 2
    assert [m.status for m in outbox()] == ["sent", "sent", "queued"]


# -- SMTP down: retry with backoff ------------------------------------------------------------


def test_with_smtp_down_messages_stay_queued_with_the_attempt_counted(app, smtp_down):
    for _ in range(3):
        queue_one()
    now = utcnow()
    assert send_due(now=now) == {"sent": 0, "retry": 3, "failed": 0}
    stored = outbox()
    assert [(m.status, m.attempts) for m in stored] == [("queued", 1)] * 3
    assert all(m.next_attempt_at > now for m in stored)
    assert all(m.last_error for m in stored)


def test_a_message_waiting_for_its_backoff_is_not_tried_again_early(app, smtp_down, smtp_servers):
    queue_one()
    now = utcnow()
    send_due(now=now)
    server = smtp_servers(port=smtp_down)
    assert send_due(now=now + timedelta(seconds=30)) == {"sent": 0, "retry": 0, "failed": 0}
    assert server.received == []


def test_when_smtp_comes_back_every_message_is_delivered_exactly_once(app, smtp_down, smtp_servers):
    ids = [queue_one().message_id for _ in range(4)]
    now = utcnow()
    send_due(now=now)
    server = smtp_servers(port=smtp_down)
    later = now + backoff(1) + timedelta(seconds=1)
    assert send_due(now=later) == {"sent": 4, "retry": 0, "failed": 0}
    assert send_due(now=later + timedelta(hours=2))["sent"] == 0
    assert sorted(server.handler.message_ids()) == sorted(ids)
    assert [(m.status, m.attempts) for m in outbox()] == [("sent", 2)] * 4


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (1, timedelta(minutes=1)),
        (2, timedelta(minutes=2)),
        (3, timedelta(minutes=4)),
        (6, timedelta(minutes=32)),
        (7, timedelta(hours=1)),
        (20, timedelta(hours=1)),
        (200, timedelta(hours=1)),  # days of hourly retries
    ],
)
def test_the_backoff_doubles_up_to_an_hour(attempts, delay):
    assert backoff(attempts) == delay


def test_each_failure_pushes_the_next_attempt_further(app, smtp_down):
    queue_one()
    now = utcnow()
    send_due(now=now)
    first = outbox()[0].next_attempt_at
    send_due(now=first)
    second = outbox()[0].next_attempt_at
    assert first - now == backoff(1)
    assert second - first == backoff(2)


def test_a_temporary_refusal_is_retried_with_the_same_message_id(app, smtp):
    message = queue_one()
    smtp.handler.refuse_next = 1
    now = utcnow()
    assert send_due(now=now)["retry"] == 1
    assert send_due(now=now + backoff(1))["sent"] == 1
    assert [m["Message-ID"] for m in smtp.handler.refused] == [message.message_id]
    assert smtp.message_ids() == [message.message_id]


def test_the_error_of_a_failed_attempt_is_recorded(app, smtp):
    queue_one()
    smtp.handler.refuse_next = 1
    send_due()
    assert "Try again later" in outbox()[0].last_error


def test_once_the_retry_window_has_passed_a_message_is_failed(app, smtp_down, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_RETRY_HOURS", 72)
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_MAX_ATTEMPTS", 3)
    queue_one()
    created = outbox()[0].created_at
    days = (0, 1, 2, 3)
    results = [send_due(now=created + timedelta(days=day)) for day in days]
    assert [r["failed"] for r in results] == [0, 0, 0, 1]
    (stored,) = outbox()
    assert (stored.status, stored.attempts) == ("failed", 4)
    assert stored.last_error


def test_a_failed_message_is_not_tried_again(app, smtp_down, smtp_servers, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_MAX_ATTEMPTS", 1)
    queue_one()
    created = outbox()[0].created_at
    hours = app.config["RECOGNITION_MAIL_RETRY_HOURS"]
    assert send_due(now=created + timedelta(hours=hours))["failed"] == 1
    server = smtp_servers(port=smtp_down)
    assert send_due(now=utcnow() + timedelta(days=30))["sent"] == 0
    assert server.received == []


def test_a_message_that_cannot_be_built_does_not_block_the_others(app, smtp, caplog):
    bad = queue_one()
    bad.to_email = "a@example.org\nBcc: everyone@example.org"
    good = queue_one()
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="recognition.notifications.sender"):
        assert send_due() == {"sent": 1, "retry": 1, "failed": 0}
    assert smtp.message_ids() == [good.message_id]
    stored = {m.id: m for m in outbox()}
    assert (stored[bad.id].status, stored[bad.id].attempts) == ("queued", 1)
    assert "ValueError" in stored[bad.id].last_error


# -- security and login -----------------------------------------------------------------------


def _server_context(certificate) -> ssl.SSLContext:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Logins:
    """An aiosmtpd authenticator accepting one user and remembering who tried."""

    def __init__(self, user: str, password: str):
        self.expected = (user.encode(), password.encode())
        self.tried: list[tuple[bytes, bytes]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.tried.append((auth_data.login, auth_data.password))
        success = (auth_data.login, auth_data.password) == self.expected
        return AuthResult(success=success, handled=False)


def test_starttls_with_login_delivers(app, smtp_servers, mail_to, trusted):
    logins = Logins("mailer", "s3cret")
    server = smtp_servers(
        tls_context=_server_context(trusted),
        require_starttls=True,
        auth_required=True,
        authenticator=logins,
    )
    mail_to(server.port, security="starttls", user="mailer", password="s3cret")
    message = queue_one()
    assert send_due()["sent"] == 1
    assert server.handler.message_ids() == [message.message_id]
    assert logins.tried == [(b"mailer", b"s3cret")]


def test_without_starttls_a_server_requiring_it_refuses(app, smtp_servers, mail_to, trusted):
    server = smtp_servers(tls_context=_server_context(trusted), require_starttls=True)
    mail_to(server.port, security="none")
    queue_one()
    assert send_due()["retry"] == 1
    assert server.received == []


def test_a_wrong_password_is_a_failed_attempt(app, smtp_servers, mail_to, trusted):
    logins = Logins("mailer", "s3cret")
    server = smtp_servers(
        tls_context=_server_context(trusted),
        require_starttls=True,
        auth_required=True,
        authenticator=logins,
    )
    mail_to(server.port, security="starttls", user="mailer", password="wrong")
    queue_one()
    assert send_due()["retry"] == 1
    assert "SMTPAuthenticationError" in outbox()[0].last_error
    assert server.received == []


def test_starttls_refused_by_the_server_is_a_failed_attempt(app, smtp, mail_to):
    """The plain server offers no STARTTLS: the attempt fails, and no socket is left open
    (an unclosed socket would surface as a ResourceWarning, an error in this suite)."""
    mail_to(smtp.port, security="starttls")
    queue_one()
    assert send_due()["retry"] == 1
    gc.collect()
    assert "SMTPNotSupportedError" in outbox()[0].last_error
    assert smtp.received == []


def test_implicit_tls_delivers(app, smtp_servers, mail_to, trusted):
    server = smtp_servers(ssl_context=_server_context(trusted))
    mail_to(server.port, security="tls")
    message = queue_one()
    assert send_due()["sent"] == 1
    assert server.handler.message_ids() == [message.message_id]


def test_an_untrusted_certificate_is_refused(app, smtp_servers, mail_to, certificate):
    """Without ``trusted``, the self-signed certificate is unknown to the default context."""
    server = smtp_servers(ssl_context=_server_context(certificate))
    mail_to(server.port, security="tls")
    queue_one()
    assert send_due()["retry"] == 1
    assert server.received == []
    assert "SSLCertVerificationError" in outbox()[0].last_error


# -- development default: no SMTP ----------------------------------------------------------------


def test_without_smtp_a_queued_message_is_written_to_the_log(app, caplog):
    with caplog.at_level(logging.INFO, logger="recognition.notifications.operations"):
        message = queue_one(subject="Your city is verified", opening="Lyon is verified now.")
    assert message.to_email in caplog.text
    assert "Your city is verified" in caplog.text
    assert "Lyon is verified now." in caplog.text


def test_without_smtp_the_sender_marks_messages_sent_without_a_connection(app, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("no SMTP connection without a configured host")

    monkeypatch.setattr(sender.smtplib, "SMTP", no_network)
    queue_one()
    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
    assert outbox()[0].status == "sent"


# -- the worker ---------------------------------------------------------------------------------


def test_the_worker_sends_what_is_due(app, smtp):
    message_id = queue_one().message_id
    send_loop(interval=0, once=True)
    assert smtp.message_ids() == [message_id]


def test_the_worker_outlives_a_batch_that_fails(app, smtp, monkeypatch, caplog):
    """A database outage during one batch is logged; the next batch sends."""
    message_id = queue_one().message_id
    real_send_due = sender.send_due
    calls: list[str] = []

    def flaky():
        calls.append("batch")
        if len(calls) == 1:
            raise RuntimeError("database restarting")
        return real_send_due()

    class Stop(Exception):
        pass

    def sleep(seconds):
        if len(calls) >= 2:
            raise Stop

    monkeypatch.setattr(sender, "send_due", flaky)
    monkeypatch.setattr(sender, "time", SimpleNamespace(sleep=sleep))
    with (
        caplog.at_level(logging.ERROR, logger="recognition.notifications.sender"),
        pytest.raises(Stop),
    ):
        send_loop(interval=0)
    assert len(calls) == 2
    assert "the batch failed" in caplog.text
    assert smtp.message_ids() == [message_id]


def test_a_transition_message_is_delivered_end_to_end(app, smtp):
    officer = factories.make_secretariat()
    focal = factories.make_user(email="focal@lyon.example.org", locale="es")
    city = factories.make_city(name="Lyon", state="pending", members=[focal])
    fire(city, "verify", officer)
    db.session.commit()
    send_due()
    (received,) = smtp.received
    assert received["To"] == "focal@lyon.example.org"
    assert received["Content-Language"] == "es"
    assert "Lyon" in received.get_body(("plain",)).get_content()
