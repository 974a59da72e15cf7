"""``flask lifetimes update``: the run (daily from cron, or every hour by ``flask recognition
schedule``) that moves recognitions on with time and queues the reminders before their end."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..reports.operations import open_due_reports
from .operations import move_on, queue_expiry_reminders

lifetimes_cli = AppGroup("lifetimes", help="Recognitions with a lifetime.")


def update() -> str:
    """Open the annual reports due, mark recognitions expiring soon or expired (in each
    city's calendar) and queue the reminders due, committing each step; return a summary.
    Running it twice, or twice at once, changes nothing more."""
    # Reports first: a recognition's last anniversary is the day after its last day, when
    # it expires and is no longer current.
    reports = open_due_reports()
    db.session.commit()
    moves = move_on()
    db.session.commit()
    reminders = queue_expiry_reminders()
    db.session.commit()
    return (
        f"{reports} report(s) opened, {moves.expiring} expiring, {moves.expired} expired, "
        f"{reminders} reminder(s) queued"
    )


@lifetimes_cli.command("update")
def update_command() -> None:
    """Open the annual reports due, mark recognitions expiring soon or expired (in each
    city's calendar) and queue the reminders due; run it at least daily. Running it twice,
    or twice at once, changes nothing more."""
    click.echo(update())
