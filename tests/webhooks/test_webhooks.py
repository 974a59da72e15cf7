"""Webhooks: an event is queued with the transition it reports, delivered to a real HTTP
receiver with a signature it can check, retried with backoff while the receiver fails, and
delivered exactly once — by one sender or by two at the same moment."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import factories
import pytest
import sqlalchemy as sa

from recognition.extensions import db
from recognition.timeutil import utcnow
from recognition.webhooks.models import Webhook, WebhookDelivery
from recognition.webhooks.operations import create_webhook, event_choices
from recognition.webhooks.sender import deliver_due
from recognition.workflow.engine import fire


class Receiver:
    """A local HTTP server that records every POST and fails the first ``failures``."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                failing = len(receiver.received) <= receiver.failures
                self.send_response(503 if failing else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(failures: int = 0) -> Receiver:
        made.append(Receiver(failures))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _submitted_nomination():
    nomination = factories.make_ready_nomination("submitted")
    officer = factories.make_secretariat()
    return nomination, officer


def test_an_event_is_delivered_signed(app, receiver):
    listening = receiver()
    webhook = create_webhook(listening.url, ["nomination.accept"], "Dashboard", None)
    nomination, officer = _submitted_nomination()
    fire(nomination, "accept", officer, "Complete.")
    db.session.commit()
    assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    [request] = listening.received
    headers, body = request["headers"], request["body"]
    expected = hmac.new(
        webhook.secret.encode(),
        headers["X-Recognition-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()
    assert headers["X-Recognition-Signature"] == f"sha256={expected}"
    assert headers["X-Recognition-Event"] == "nomination.accept"
    payload = json.loads(body)
    assert payload["object"]["id"] == nomination.id
    assert payload["transition"] == {"id": "accept", "from": "submitted", "to": "under_review"}
    assert payload["delivery"] == headers["X-Recognition-Delivery"]
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # once, never again
    assert len(listening.received) == 1


def test_only_the_events_asked_for_are_queued(app, receiver):
    create_webhook(receiver().url, ["call.announce"], "", None)
    nomination, officer = _submitted_nomination()
    fire(nomination, "accept", officer)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0


def test_a_transition_rolled_back_queues_nothing(app, receiver):
    create_webhook(receiver().url, ["nomination.accept"], "", None)
    db.session.commit()
    nomination, officer = _submitted_nomination()
    db.session.commit()
    fire(nomination, "accept", officer)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0


def test_a_failing_receiver_is_retried_with_backoff_then_delivered(app, receiver):
    failing = receiver(failures=2)
    create_webhook(failing.url, ["nomination.accept"], "", None)
    nomination, officer = _submitted_nomination()
    fire(nomination, "accept", officer)
    db.session.commit()
    now = utcnow()
    assert deliver_due(now=now) == {"sent": 0, "retry": 1, "failed": 0}
    assert deliver_due(now=now) == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    db.session.refresh(delivery)
    assert delivery.last_status == 503
    first_wait = delivery.next_attempt_at - now
    assert deliver_due(now=now + timedelta(minutes=1)) == {"sent": 0, "retry": 1, "failed": 0}
    db.session.refresh(delivery)
    assert delivery.next_attempt_at - (now + timedelta(minutes=1)) > first_wait  # it doubles
    assert deliver_due(now=now + timedelta(minutes=4)) == {"sent": 1, "retry": 0, "failed": 0}
    assert len(failing.received) == 3
    ids = {r["headers"]["X-Recognition-Delivery"] for r in failing.received}
    assert len(ids) == 1, "a retry is the same delivery"


def test_a_delivery_fails_after_its_retry_window(app, receiver):
    create_webhook("http://127.0.0.1:9/closed", ["nomination.accept"], "", None)
    nomination, officer = _submitted_nomination()
    fire(nomination, "accept", officer)
    db.session.commit()
    later = utcnow() + timedelta(hours=app.config["RECOGNITION_MAIL_RETRY_HOURS"] + 1)
    for step in range(app.config["RECOGNITION_MAIL_MAX_ATTEMPTS"] - 1):
        deliver_due(now=later + timedelta(hours=step + 1))
    assert deliver_due(now=later + timedelta(days=30)) == {"sent": 0, "retry": 0, "failed": 1}
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    db.session.refresh(delivery)
    assert delivery.status == "failed" and delivery.last_status is None


@pytest.mark.postgres_only
def test_two_senders_at_once_deliver_each_event_once(app, receiver):
    listening = receiver()
    create_webhook(listening.url, ["nomination.accept"], "", None)
    officer = factories.make_secretariat()
    nominations = [factories.make_ready_nomination("submitted") for _ in range(20)]
    for nomination in nominations:
        fire(nomination, "accept", officer)
    db.session.commit()
    barrier = threading.Barrier(2)
    counts = []

    def send():
        with app.app_context():
            barrier.wait()
            counts.append(deliver_due(limit=5))
            counts.append(deliver_due(limit=50))
            db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(c["sent"] for c in counts) == 20
    events = [json.loads(r["body"])["object"]["id"] for r in listening.received]
    assert sorted(events) == sorted(n.id for n in nominations)


def test_the_secretariat_registers_a_webhook_and_sees_its_deliveries(app, login_as, receiver):
    officer = factories.make_secretariat()
    db.session.commit()
    client = login_as(officer)
    page = client.get("/secretariat/webhooks")
    assert page.status_code == 200
    assert "nomination.accept" in page.get_data(as_text=True)
    made = client.post(
        "/secretariat/webhooks",
        data={"url": receiver().url, "events": ["nomination.accept"], "description": "Board"},
    )
    html = made.get_data(as_text=True)
    webhook = db.session.scalar(sa.select(Webhook))
    assert webhook.secret in html and 'id="new-secret"' in html
    assert webhook.secret not in client.get("/secretariat/webhooks").get_data(as_text=True)
    nomination, _officer = _submitted_nomination()
    fire(nomination, "accept", officer)
    db.session.commit()
    deliver_due()
    log = client.get(f"/secretariat/webhooks/{webhook.id}").get_data(as_text=True)
    assert "Delivered" in log
    assert client.post(f"/secretariat/webhooks/{webhook.id}/switch").status_code == 303
    db.session.refresh(webhook)
    assert webhook.active is False


def test_only_the_secretariat_has_the_webhooks_page(app, login_as):
    focal = factories.make_focal_point()
    db.session.commit()
    client = login_as(focal)
    assert client.get("/secretariat/webhooks").status_code in (403, 404)
    refused = client.post(
        "/secretariat/webhooks", data={"url": "https://evil.example", "events": ["call.open"]}
    )
    assert refused.status_code in (403, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Webhook)) == 0


def test_an_address_that_is_no_web_address_is_refused(app, login_as):
    officer = factories.make_secretariat()
    db.session.commit()
    response = login_as(officer).post(
        "/secretariat/webhooks", data={"url": "file:///etc/passwd", "events": ["call.open"]}
    )
    assert response.status_code == 200
    assert "https://" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Webhook)) == 0


class Redirecting(Receiver):
    """A receiver that answers every POST with a redirect (then 200 to the GET it leads to)."""

    def __init__(self):
        super().__init__()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                receiver.received.append({"method": "POST"})
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
                self.end_headers()

            def do_GET(self):  # noqa: N802
                receiver.received.append({"method": "GET"})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server.RequestHandlerClass = Handler


def _one_event(url: str):
    create_webhook(url, ["nomination.accept"], "", None)
    nomination, officer = _submitted_nomination()
    fire(nomination, "accept", officer)
    db.session.commit()


def _delivery() -> WebhookDelivery:
    delivery = db.session.scalar(sa.select(WebhookDelivery))
    db.session.refresh(delivery)
    return delivery


def test_a_redirect_is_a_failed_attempt_never_followed(app):
    redirecting = Redirecting()
    try:
        _one_event(redirecting.url)
        assert deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
    finally:
        redirecting.close()
    assert [r["method"] for r in redirecting.received] == ["POST"]
    assert "302" in _delivery().last_error


def test_a_receiver_that_speaks_no_http_costs_an_attempt(app):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def answer():
        connection, _address = listener.accept()
        connection.recv(65536)
        connection.sendall(b"SSH-2.0-OpenSSH\r\n")
        connection.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        _one_event(f"http://127.0.0.1:{port}/hooks")
        assert deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
    finally:
        listener.close()
    delivery = _delivery()
    assert delivery.attempts == 1 and delivery.last_error


def test_private_addresses_are_refused_in_production(app, receiver, monkeypatch):
    listening = receiver()
    monkeypatch.setitem(app.config, "RECOGNITION_WEBHOOK_PRIVATE_ADDRESSES", False)
    _one_event(listening.url)
    assert deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
    assert listening.received == []
    assert "private or reserved" in _delivery().last_error


def test_events_wait_while_their_webhook_is_off(app, login_as, receiver):
    listening = receiver()
    _one_event(listening.url)
    webhook = db.session.scalar(sa.select(Webhook))
    webhook.active = False
    db.session.commit()
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert _delivery().attempts == 0 and listening.received == []
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer).post(f"/secretariat/webhooks/{webhook.id}/switch")
    assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    assert len(listening.received) == 1


def test_decisions_under_embargo_are_no_events(app):
    events = dict(event_choices())
    assert "nomination.submit" in events and "nomination.announce" in events
    assert "nomination.recognise" not in events


def test_production_takes_https_addresses_only(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_WEBHOOK_PRIVATE_ADDRESSES", False)
    officer = factories.make_secretariat()
    db.session.commit()
    response = login_as(officer).post(
        "/secretariat/webhooks",
        data={"url": "http://dashboard.example/hooks", "events": ["call.open"]},
    )
    assert "https://" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Webhook)) == 0


@pytest.mark.parametrize("lang", ["en", "ar", "es", "fr", "ru", "zh"])
def test_the_webhooks_page_speaks_every_language(app, login_as, lang):
    officer = factories.make_secretariat(locale=lang)
    db.session.commit()
    html = login_as(officer).get("/secretariat/webhooks").get_data(as_text=True)
    hours = str(app.config["RECOGNITION_MAIL_RETRY_HOURS"])
    assert f'<html lang="{lang}"' in html
    assert hours in html  # the retry window, as configured
    if lang != "en":
        assert "Each event is delivered once" not in html
