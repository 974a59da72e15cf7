"""Programmes (defined in programmes/*.yaml) and their calls for nominations."""

from pathlib import Path

from flask import Blueprint, Flask

bp = Blueprint("programmes", __name__)

from . import guards, roles, views  # noqa: E402, F401 - routes, guards and roles register
from .definition import load_programmes  # noqa: E402


def init_app(app: Flask) -> None:
    """Load programmes/*.yaml (refusing to start on a bad one) and register the pages."""
    app.extensions["programmes"] = load_programmes(
        Path(app.config["RECOGNITION_ROOT"]) / "programmes"
    )
    app.register_blueprint(bp)
