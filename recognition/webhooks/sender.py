"""Deliver webhook events as the outbox delivers mail (notifications/sender.py: claimed under
a lease, taken, sent with no transaction open, recorded), by HTTPS POST: a JSON body, its
HMAC-SHA256 under the webhook's secret, and the delivery's id, so that a receiver can check
who sent it and recognise an event it has already seen.

A 2xx answer is delivered; anything else (another status, no answer within
``RECOGNITION_WEBHOOK_TIMEOUT`` seconds, a refused connection) is retried with the outbox's
backoff until its retry window is over (``RECOGNITION_MAIL_RETRY_HOURS``), then failed. The
webhooks page shows each delivery, and sends a failed one again.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from ..extensions import db
from ..notifications.sender import _record, _release, _update, backoff, claim, gives_up
from ..timeutil import utcnow
from .models import WebhookDelivery

log = logging.getLogger(__name__)
#: The headers a receiver reads.
SIGNATURE = "X-Recognition-Signature"
TIMESTAMP = "X-Recognition-Timestamp"
DELIVERY = "X-Recognition-Delivery"
EVENT = "X-Recognition-Event"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``<timestamp>.<body>`` under the secret (the
    timestamp signed too, so that an old delivery cannot be replayed as a new one)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def deliver_due(limit: int = 50, now: datetime | None = None) -> dict[str, int]:
    """Send one batch of due deliveries, committing each outcome as it happens; return the
    counts of deliveries sent, to retry and failed."""
    config = current_app.config
    clock = (lambda: now) if now is not None else utcnow
    lease = timedelta(seconds=config["RECOGNITION_MAIL_LEASE_SECONDS"])
    owner = uuid.uuid4().hex
    counts = {"sent": 0, "retry": 0, "failed": 0}
    pending = deque(claim(limit, clock(), owner, lease, model=WebhookDelivery))
    try:
        while pending:
            outcome = _deliver(pending.popleft(), owner, clock, lease)
            if outcome is not None:
                counts[outcome] += 1
    finally:
        if pending:
            _release(pending, owner, model=WebhookDelivery)
    return counts


def _deliver(delivery_id: int, owner: str, clock, lease: timedelta) -> str | None:
    try:
        taken = _update(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.lease_owner == owner,
            WebhookDelivery.status == "queued",
            model=WebhookDelivery,
            lease_until=clock() + lease,
        )
        if not taken:
            db.session.commit()
            return None
        delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
        webhook = delivery.webhook
        request = _request(
            webhook.url, webhook.secret, delivery.event, delivery.delivery_id, delivery.payload
        )
        attempts, created_at = delivery.attempts + 1, delivery.created_at
        active = webhook.active
        db.session.commit()  # nothing stays open while the receiver is talked to
    except BaseException:
        db.session.rollback()
        raise
    if not active:
        # Kept, its attempts untouched, until the webhook is switched on again.
        later = {"next_attempt_at": clock() + timedelta(hours=1)}
        _record(delivery_id, owner, later, model=WebhookDelivery)
        return None
    status, error = _post(request)
    values: dict[str, Any] = {"attempts": attempts, "last_status": status}
    if error is None:
        outcome = "sent"
        values.update(status="sent", sent_at=utcnow(), last_error="")
    else:
        values["last_error"] = error[:2000]
        if gives_up(attempts, created_at, clock()):
            outcome = "failed"
            values["status"] = "failed"
        else:
            outcome = "retry"
            values["next_attempt_at"] = clock() + backoff(attempts)
    return outcome if _record(delivery_id, owner, values, model=WebhookDelivery) else None


def _request(
    url: str, secret: str, event: str, delivery: str, payload: dict
) -> urllib.request.Request:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    return urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Recognition-Webhooks/1",
            EVENT: event,
            DELIVERY: delivery,
            TIMESTAMP: timestamp,
            SIGNATURE: signature(secret, timestamp, body),
        },
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's failure: following it would turn the POST into a GET
    without the event (then counted delivered) and send the signature elsewhere."""

    def redirect_request(self, *args, **kwargs):
        return None


#: No proxy from the environment, no redirect followed.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def refused_address(url: str) -> str | None:
    """Why the app refuses to send to ``url`` (None: it may): an address of this machine or of
    a private, link-local or reserved network — the database, a cloud's metadata service —
    unless RECOGNITION_WEBHOOK_PRIVATE_ADDRESSES allows them (development, tests)."""
    if current_app.config["RECOGNITION_WEBHOOK_PRIVATE_ADDRESSES"]:
        return None
    host = urlsplit(url).hostname or ""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError) as exc:
        return f"cannot resolve {host}: {exc}"
    for address in found:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            return f"{host} is a private or reserved address ({ip})"
    return None


def _post(request: urllib.request.Request) -> tuple[int | None, str | None]:
    """POST the delivery; return the receiver's status and why it failed (None: a 2xx)."""
    refused = refused_address(request.full_url)
    if refused:
        return None, refused
    timeout = current_app.config["RECOGNITION_WEBHOOK_TIMEOUT"]
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            if 200 <= response.status < 300:
                return response.status, None
            return response.status, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        exc.close()
        where = f" to {exc.headers.get('Location', '')}" if 300 <= exc.code < 400 else ""
        return exc.code, f"HTTP {exc.code}{where}"
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # any other failure is this delivery's, never the batch's
        log.exception("webhooks: cannot deliver to %s", request.full_url)
        return None, f"{type(exc).__name__}: {exc}"
