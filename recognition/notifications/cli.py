"""``flask outbox send|remind``: deliver queued mail, queue deadline reminders."""

from flask.cli import AppGroup

outbox_cli = AppGroup("outbox", help="Deliver the outbox and queue reminders.")
