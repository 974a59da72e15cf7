"""Recognitions that live on: a recognition's validity (programme ``recognition.years``) in
the city's calendar, expiring and expired through the workflow, reminders before the end,
renewals that close the recognition they renew, revocation."""

from flask import Blueprint, Flask

bp = Blueprint("lifetimes", __name__)

# The rules, the receiver of announcements, the panel and the command register.
from . import cli, guards, operations, panel  # noqa: E402, F401


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(cli.lifetimes_cli)
    operations.connect()
