"""``flask outbox send [--loop]`` and ``flask outbox remind --days N`` (for cron): reminders
never twice for one assignment and deadline, and again after the deadline moves."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import factories
import pytest
from notifications_support import make_nomination, outbox

from recognition.extensions import db
from recognition.notifications import sender
from recognition.notifications.operations import queue
from recognition.review.mail import queue_manual_reminder
from recognition.review.models import Assignment
from recognition.timeutil import utcnow


def note(recipient=None):
    message = queue(
        recipient or factories.make_user(),
        "transition",
        "News",
        opening="News.",
        comment=None,
        show_comment=True,
    )
    db.session.commit()
    return message


# -- send ---------------------------------------------------------------------------------------


def test_send_delivers_the_due_messages_and_says_how_many(app, runner, smtp):
    ids = {note().message_id for _ in range(2)}
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2, to retry 0, failed 0" in result.output
    assert set(smtp.message_ids()) == ids


def test_send_with_nothing_due_sends_nothing(app, runner, smtp):
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "sent 0, to retry 0, failed 0" in result.output


def test_send_with_smtp_down_reports_the_retries(app, runner, smtp_down):
    note()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "sent 0, to retry 1, failed 0" in result.output
    assert outbox()[0].status == "queued"


def test_send_goes_on_until_the_queue_is_empty(app, runner, smtp, monkeypatch):
    """Batches of two: five messages take three batches, all in one run."""
    real = sender.send_due
    monkeypatch.setattr(sender, "send_due", lambda **kw: real(limit=2, **kw))
    for _ in range(5):
        note()
    result = runner.invoke(args=["outbox", "send"])
    assert "sent 5," in result.output
    assert len(smtp.received) == 5


def test_send_loop_keeps_sending(app, runner, smtp, monkeypatch):
    message_id = note().message_id

    class Stop(Exception):
        pass

    def sleep(seconds):
        raise Stop

    monkeypatch.setattr(sender, "time", SimpleNamespace(sleep=sleep))
    result = runner.invoke(args=["outbox", "send", "--loop", "--interval", "0"])
    assert isinstance(result.exception, Stop)
    assert smtp.message_ids() == [message_id]


# -- remind -------------------------------------------------------------------------------------


def assignment_due_in(days: float, state: str = "accepted", **reviewer) -> Assignment:
    now = utcnow()
    call = factories.make_call(
        programme_id="sasakawa_award",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
        review_deadline=now + timedelta(days=days),
    )
    nomination = make_nomination("under_review", call=call)
    return factories.make_assignment(nomination, factories.make_reviewer(**reviewer), state=state)


def remind(runner, *args):
    result = runner.invoke(args=["outbox", "remind", *args])
    assert result.exit_code == 0, result.output
    return result


def reminders() -> list:
    return outbox(template="reminder")


def test_remind_queues_a_reminder_for_a_review_due_within_the_days(app, runner):
    assignment = assignment_due_in(2)
    db.session.commit()
    result = remind(runner, "--days", "3")
    assert "queued 1 reminder(s)" in result.output
    assert [m.recipient_id for m in reminders()] == [assignment.reviewer_id]


@pytest.mark.parametrize(
    ("days", "state", "reminded"),
    [
        (2, "invited", True),
        (2, "accepted", True),
        (2, "reopened", True),
        (2, "submitted", False),
        (2, "declined", False),
        (2, "conflicted", False),
        (2, "withdrawn", False),
        (5, "accepted", False),  # not due yet
        (-1, "accepted", False),  # the deadline passed
    ],
)
def test_remind_picks_outstanding_reviews_due_soon(app, runner, days, state, reminded):
    assignment_due_in(days, state)
    db.session.commit()
    remind(runner, "--days", "3")
    assert len(reminders()) == (1 if reminded else 0)


def test_remind_never_reminds_twice_for_one_deadline(app, runner):
    assignment_due_in(2)
    db.session.commit()
    remind(runner, "--days", "3")
    result = remind(runner, "--days", "3")
    assert "queued 0 reminder(s)" in result.output
    assert len(reminders()) == 1


def test_remind_reminds_again_after_the_deadline_moves(app, runner):
    assignment = assignment_due_in(2)
    db.session.commit()
    remind(runner, "--days", "3")
    assignment = db.session.get(Assignment, assignment.id)
    assignment.nomination.call.review_deadline += timedelta(days=1)
    db.session.commit()
    remind(runner, "--days", "3")
    assert len(reminders()) == 2


def test_remind_records_the_deadline_it_reminded_of(app, runner):
    assignment = assignment_due_in(2)
    db.session.commit()
    remind(runner, "--days", "3")
    db.session.expire_all()
    stored = db.session.get(Assignment, assignment.id)
    assert stored.reminded_for == stored.nomination.call.review_deadline


def test_remind_uses_the_configured_days_by_default(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_REMINDER_DAYS", 7)
    assignment_due_in(5)
    db.session.commit()
    remind(runner)
    assert len(reminders()) == 1


def test_a_reminder_is_in_the_reviewers_language(app, runner):
    assignment_due_in(2, locale="zh")
    db.session.commit()
    remind(runner, "--days", "3")
    assert reminders()[0].locale == "zh"


def test_a_queued_reminder_is_delivered_by_send(app, runner, smtp):
    assignment_due_in(2)
    db.session.commit()
    remind(runner, "--days", "3")
    runner.invoke(args=["outbox", "send"])
    (received,) = smtp.received
    assert received["Subject"] == "Reminder: a review is due"


# -- the secretariat's manual reminder ---------------------------------------------------------


def test_a_manual_reminder_goes_to_each_outstanding_assignment_of_the_call(app):
    first = assignment_due_in(20)
    call = first.nomination.call
    reviewer = first.reviewer
    second = factories.make_assignment(
        make_nomination("under_review", call=call), reviewer, state="invited"
    )
    factories.make_assignment(make_nomination("under_review", call=call), reviewer, "submitted")
    assert queue_manual_reminder(call, reviewer) == 2
    db.session.commit()
    links = sorted(m.link for m in reminders())
    assert links == sorted(
        f"{app.config['RECOGNITION_BASE_URL']}/reviews/{a.id}" for a in (first, second)
    )


def test_a_manual_reminder_can_be_sent_again(app):
    assignment = assignment_due_in(20)
    queue_manual_reminder(assignment.nomination.call, assignment.reviewer)
    queue_manual_reminder(assignment.nomination.call, assignment.reviewer)
    db.session.commit()
    assert len(reminders()) == 2


def test_a_manual_reminder_does_not_stop_the_automatic_one(app, runner):
    assignment = assignment_due_in(2)
    queue_manual_reminder(assignment.nomination.call, assignment.reviewer)
    db.session.commit()
    remind(runner, "--days", "3")
    assert len(reminders()) == 2
