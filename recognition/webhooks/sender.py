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
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from datetime import datetime, timedelta
from typing import Any

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
    status, error = _post(request) if active else (None, "the webhook is switched off")
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


def _post(request: urllib.request.Request) -> tuple[int | None, str | None]:
    """POST the delivery; return the receiver's status and why it failed (None: a 2xx)."""
    timeout = current_app.config["RECOGNITION_WEBHOOK_TIMEOUT"]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, None
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
