"""Public pages: recognised cities by programme and year, city pages, the announcement feed,
and certificates."""

from flask import Blueprint, Flask

bp = Blueprint("public", __name__)

from . import certificates, views  # noqa: E402, F401 - routes register


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
