"""Programmes (defined in programmes/*.yaml) and their calls for nominations."""

from pathlib import Path

from flask import Blueprint, Flask

bp = Blueprint("programmes", __name__)


def init_app(app: Flask) -> None:
    """Load programmes/*.yaml (refusing to start on a bad one) and register the pages."""
    from . import guards, roles, views  # noqa: F401 - routes, guards and roles register
    from .definition import load_programmes

    app.extensions["programmes"] = load_programmes(
        Path(app.config["RECOGNITION_ROOT"]) / "programmes"
    )
    app.register_blueprint(bp)
