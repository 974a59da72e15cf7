"""Public pages: recognised cities by programme and year, city pages, the announcement feed,
and certificates."""

from flask import Blueprint, Flask

bp = Blueprint("public", __name__)


def init_app(app: Flask) -> None:
    from . import certificates, views  # noqa: F401 - routes register

    app.register_blueprint(bp)
