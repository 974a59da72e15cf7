"""``flask outbox remind``: queue the reminders of reviews due soon, and of referees' letters
awaited (for cron)."""

import click
from flask import current_app

from ..extensions import db
from ..letters.mail import queue_due_letter_reminders
from ..notifications.cli import outbox_cli
from .mail import queue_due_reminders


@outbox_cli.command("remind")
@click.option("--days", type=int, default=None, help="Remind reviews due within DAYS.")
def remind_command(days: int | None) -> None:
    """Queue reminders for reviews due soon; never twice for one assignment and deadline.
    Referees asked for a letter more than DAYS days ago are reminded too, once every DAYS."""
    days = days if days is not None else current_app.config["RECOGNITION_REMINDER_DAYS"]
    count = queue_due_reminders(days)
    letters = queue_due_letter_reminders(days)
    db.session.commit()
    click.echo(f"queued {count} reminder(s)")
    click.echo(f"queued {letters} letter reminder(s)")
