"""``flask outbox send [--loop]`` delivers queued mail. Other packages add the commands that
queue mail of their own (``flask outbox remind``: the review package's reminders)."""

import click
from flask.cli import AppGroup

from .sender import send_due, send_loop

outbox_cli = AppGroup("outbox", help="Deliver the outbox and queue reminders.")


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running and send as messages arrive.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between batches.")
def send_command(loop: bool, interval: float) -> None:
    """Send the messages that are due."""
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
