"""``flask outbox send [--loop]`` delivers queued mail; ``flask outbox remind`` queues the
reminders of reviews due soon (for cron)."""

import click
from flask import current_app
from flask.cli import AppGroup

outbox_cli = AppGroup("outbox", help="Deliver the outbox and queue reminders.")


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running and send as messages arrive.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between batches.")
def send_command(loop: bool, interval: float) -> None:
    """Send the messages that are due."""
    from .sender import send_due, send_loop

    if loop:
        send_loop(interval)
        return
    total = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        counts = send_due()
        for key, value in counts.items():
            total[key] += value
        if not any(counts.values()):
            break
        if counts["sent"] == 0:
            break
    click.echo(f"sent {total['sent']}, to retry {total['retry']}, failed {total['failed']}")


@outbox_cli.command("remind")
@click.option("--days", type=int, default=None, help="Remind reviews due within DAYS.")
def remind_command(days: int | None) -> None:
    """Queue reminders for reviews due soon; never twice for one assignment and deadline."""
    from ..extensions import db
    from .operations import queue_due_reminders

    days = days if days is not None else current_app.config["RECOGNITION_REMINDER_DAYS"]
    count = queue_due_reminders(days)
    db.session.commit()
    click.echo(f"queued {count} reminder(s)")
