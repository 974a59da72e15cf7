"""The reviewer side: assignments, conflicts of interest, scoring; aggregation of scores."""

from flask import Blueprint, Flask

bp = Blueprint("review", __name__)


def init_app(app: Flask) -> None:
    from . import guards, roles, views  # noqa: F401 - routes, guards and roles register

    app.register_blueprint(bp)
