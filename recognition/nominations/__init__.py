"""The city side: drafts, evidence, submission, revision and withdrawal of nominations."""

from flask import Blueprint, Flask

bp = Blueprint("nominations", __name__)

from . import guards, operations, roles, views  # noqa: E402, F401 - they register


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
