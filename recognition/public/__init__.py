"""Public pages: recognised cities by programme and year, city pages, the announcement feed,
and certificates."""

from flask import Blueprint, Flask

#: The URL converter of row ids: numbers beyond PostgreSQL's INTEGER answer 404, not a 500
#: from the database refusing the query.
ID = "int(max=2147483647)"

bp = Blueprint("public", __name__)


def init_app(app: Flask) -> None:
    from . import certificates, views  # noqa: F401 - routes register

    app.register_blueprint(bp)
