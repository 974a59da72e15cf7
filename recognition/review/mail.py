"""The reviewers' e-mails: the invitation to review, and reminders of reviews due."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..nominations.models import Nomination
from ..notifications.operations import absolute_url, in_locale, queue
from ..programmes.models import Call
from ..timeutil import utcnow
from ..workflow.registry import tagged
from .models import Assignment


def notify_assignment(assignment: Assignment) -> None:
    reviewer = assignment.reviewer
    nomination = assignment.nomination
    queue(
        reviewer,
        "assignment",
        in_locale(reviewer, _l("You are invited to review a nomination")),
        link=absolute_url("review.review", assignment_id=assignment.id),
        nomination=nomination,
        call=nomination.call,
    )


def queue_reminder(assignment: Assignment, manual: bool = False):
    """Remind a reviewer of an outstanding review; automatic ones once per deadline."""
    call = assignment.nomination.call
    key = None if manual else f"remind:{assignment.id}:{call.review_deadline.isoformat()}"
    message = queue(
        assignment.reviewer,
        "reminder",
        in_locale(assignment.reviewer, _l("Reminder: a review is due")),
        link=absolute_url("review.review", assignment_id=assignment.id),
        dedupe_key=key,
        nomination=assignment.nomination,
        call=call,
    )
    if message is not None and not manual:
        assignment.reminded_for = call.review_deadline
    return message


def queue_manual_reminder(call, reviewer: User) -> int:
    """The secretariat's "send a reminder": one message per outstanding assignment."""
    outstanding = db.session.scalars(
        sa.select(Assignment)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(
            Nomination.call_id == call.id,
            Assignment.reviewer_id == reviewer.id,
            tagged(Assignment, "outstanding"),
        )
    ).all()
    for assignment in outstanding:
        queue_reminder(assignment, manual=True)
    return len(outstanding)


def queue_due_reminders(days: int, now=None) -> int:
    """Queue reminders for reviews due within ``days`` (for cron); never twice per deadline."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Assignment)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .join(Call, Call.id == Nomination.call_id)
        .where(
            tagged(Assignment, "outstanding"),
            Call.review_deadline > now,
            Call.review_deadline <= now + timedelta(days=days),
            sa.or_(
                Assignment.reminded_for.is_(None), Assignment.reminded_for != Call.review_deadline
            ),
        )
    ).all()
    sent = 0
    for assignment in due:
        if queue_reminder(assignment) is not None:
            sent += 1
    return sent
