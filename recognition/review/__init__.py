"""The reviewer side: assignments, conflicts of interest, scoring; aggregation of scores."""

from flask import Blueprint, Flask

bp = Blueprint("review", __name__)

from . import cli, filters, guards, kept, panel, roles, rounds, views  # noqa: E402, F401 - they register
from .robustness import panel as robustness_panel  # noqa: E402, F401 - it registers


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The signal is global: connecting the same function again is a no-op.
    kept.connect()
