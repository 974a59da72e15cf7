"""The city side: drafts, evidence, submission, revision and withdrawal of nominations."""

from flask import Blueprint, Flask

bp = Blueprint("nominations", __name__)


def init_app(app: Flask) -> None:
    from . import guards, roles, views  # noqa: F401 - routes, guards and roles register

    app.register_blueprint(bp)
