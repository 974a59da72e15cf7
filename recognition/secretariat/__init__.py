"""The secretariat: worklists and bulk actions, call dashboards, ranking, decisions,
announcements, exports and the audit log."""

from flask import Blueprint, Flask

#: The URL converter of row ids: numbers beyond PostgreSQL's INTEGER answer 404, not a 500
#: from the database refusing the query.
ID = "int(max=2147483647)"

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")


def init_app(app: Flask) -> None:
    from . import decisions, exports, views  # noqa: F401 - routes and operations register

    app.register_blueprint(bp)
