"""Annual reports of recognised cities: each year of a recognition, the city reports what it
shared with other cities and with whom; the secretariat accepts or returns the report, and a
renewal waits until every report owed is in."""

import click
from flask import Blueprint, Flask

from ..extensions import db

bp = Blueprint("reports", __name__)

# Roles, rules, filters, operations, routes and the panel register.
from . import filters, guards, operations, roles, views  # noqa: E402, F401


@bp.cli.command("open-due")
def open_due_command() -> None:
    """Open the annual reports whose year has ended (the daily command does it too)."""
    opened = operations.open_due_reports()
    db.session.commit()
    click.echo(f"{opened} annual report(s) opened")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
