"""The secretariat: worklists and bulk actions, call dashboards, ranking, decisions,
announcements, exports and the audit log."""

from flask import Blueprint, Flask

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")


def init_app(app: Flask) -> None:
    from . import decisions, exports, views  # noqa: F401 - routes and operations register

    app.register_blueprint(bp)
