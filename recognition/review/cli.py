"""``flask outbox remind``: queue the reminders of reviews due soon, and of referees' letters
awaited (for cron, or every hour by ``flask recognition schedule``)."""

import click
from flask import current_app

from ..extensions import db
from ..letters.mail import queue_due_letter_reminders
from ..notifications.cli import outbox_cli
from .mail import queue_due_reminders


def remind(days: int | None = None) -> str:
    """Queue the reminders due and commit; return what was queued, one line each.

    Safe to repeat: a review is reminded once per deadline and a referee once every
    ``days`` days, whatever the number of runs.
    """
    days = days if days is not None else current_app.config["RECOGNITION_REMINDER_DAYS"]
    count = queue_due_reminders(days)
    letters = queue_due_letter_reminders(days)
    db.session.commit()
    return f"queued {count} reminder(s)\nqueued {letters} letter reminder(s)"


@outbox_cli.command("remind")
@click.option("--days", type=int, default=None, help="Remind reviews due within DAYS.")
def remind_command(days: int | None) -> None:
    """Queue reminders for reviews due soon; never twice for one assignment and deadline.
    Referees asked for a letter more than DAYS days ago are reminded too, once every DAYS."""
    click.echo(remind(days))
