"""``flask outbox send [--loop]`` delivers queued mail. Other packages add the commands that
queue mail of their own (``flask outbox remind``: the review package's reminders).

Long-running commands (``outbox send --loop``, ``recognition schedule``) stop cleanly on
SIGTERM, which process managers (honcho, systemd, container runtimes) send to stop them.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup

from ..extensions import db
from .sender import send_due, send_loop

outbox_cli = AppGroup("outbox", help="Deliver the outbox and queue reminders.")


class Shutdown(SystemExit):
    """Raised by SIGTERM or SIGINT in a long-running command.

    A ``SystemExit`` rather than an ``Exception``: the loops log and survive every
    ``Exception`` (a database outage must not stop them), but a request to stop must go
    through them, running the ``finally`` blocks on its way out.
    """


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Stop the enclosed loop at SIGTERM (or Ctrl-C) as an exception, then return normally.

    Stopping at once rather than after the current batch: a process manager kills what has
    not stopped within a few seconds (honcho: 5). Unwinding is safe: every transaction
    rolls back, the outbox hands back the messages it claimed and had not tried yet, a
    message interrupted while it was being handed over keeps its lease and goes out again
    when the lease expires, and the scheduled jobs are idempotent. The handlers in place
    before are restored on the way out.
    """

    def stop(signum: int, frame: object) -> None:
        raise Shutdown(0)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    except Shutdown:
        db.session.remove()  # rolls back whatever the signal interrupted
        click.echo("stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@outbox_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running and send as messages arrive.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between batches.")
def send_command(loop: bool, interval: float) -> None:
    """Send the messages that are due."""
    if loop:
        with stopped_by_signals():
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
