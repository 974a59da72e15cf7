"""A long outage of the mail server: a message keeps being retried, at most an hour apart,
until RECOGNITION_MAIL_RETRY_HOURS have passed since it was queued; only then is it failed."""

from __future__ import annotations

from datetime import timedelta

import factories
from notifications_support import outbox

from recognition.extensions import db
from recognition.notifications.operations import queue
from recognition.notifications.sender import send_due


def queue_one() -> str:
    context = {"opening": "News.", "comment": None, "show_comment": True}
    message = queue(factories.make_user(), "transition", "News", **context)
    db.session.commit()
    return message.message_id


def retry_through_outage(until: timedelta) -> list[tuple]:
    """Run the sender each time the message is due, until ``until`` after it was queued or
    until it is no longer queued; return (time since queued, status, attempts) per run."""
    (message,) = outbox()
    runs = []
    at = message.next_attempt_at
    while message.status == "queued" and at - message.created_at <= until:
        send_due(now=at)
        (message,) = outbox()
        runs.append((at - message.created_at, message.status, message.attempts))
        at = message.next_attempt_at
    return runs


def test_a_message_failing_for_hours_is_retried_until_the_window_has_passed(
    app, smtp_down, monkeypatch
):
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_RETRY_HOURS", 5)
    queue_one()
    runs = retry_through_outage(timedelta(days=1))
    window = timedelta(hours=5)
    *retried, (last_at, last_status, attempts) = runs
    assert all(status == "queued" for _at, status, _n in retried)
    assert all(at < window for at, _status, _n in retried)
    assert (last_status, last_at >= window) == ("failed", True)
    assert attempts == len(runs) > app.config["RECOGNITION_MAIL_MAX_ATTEMPTS"]
    gaps = [b[0] - a[0] for a, b in zip(runs, runs[1:], strict=False)]
    assert max(gaps) == timedelta(hours=1)  # doubling, capped at an hour
    assert last_at - retried[-1][0] <= timedelta(hours=1)


def test_mail_queued_before_a_two_day_outage_is_delivered_when_the_server_returns(
    app, smtp_down, smtp_servers
):
    message_id = queue_one()
    runs = retry_through_outage(timedelta(days=2))
    assert {status for _at, status, _n in runs} == {"queued"}
    assert len(runs) > 40  # hourly, for two days
    server = smtp_servers(port=smtp_down)
    (message,) = outbox()
    assert send_due(now=message.next_attempt_at) == {"sent": 1, "retry": 0, "failed": 0}
    assert server.message_ids() == [message_id]
    assert outbox()[0].status == "sent"


def test_a_message_first_tried_after_the_window_still_gets_its_attempts(
    app, smtp_down, monkeypatch
):
    """No sender ran for four days: the message is not failed at its first attempt, but after
    RECOGNITION_MAIL_MAX_ATTEMPTS of them (as after the secretariat queues it again)."""
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_MAX_ATTEMPTS", 3)
    queue_one()
    (message,) = outbox()
    four_days = message.created_at + timedelta(days=4)
    send_due(now=four_days)
    runs = retry_through_outage(timedelta(days=5))
    assert [(status, attempts) for _at, status, attempts in runs] == [
        ("queued", 2),
        ("failed", 3),
    ]
