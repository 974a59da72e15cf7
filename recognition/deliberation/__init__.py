"""Deliberation: a round's panel discusses a nomination after scoring it, out of the city's
sight, and the secretariat records the panel's consensus."""

from flask import Blueprint, Flask

bp = Blueprint("deliberation", __name__)

# The views and the panels register.
from . import panel, views  # noqa: E402, F401


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
