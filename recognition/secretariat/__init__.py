"""The secretariat: worklists and bulk actions, call dashboards, ranking, decisions,
announcements, exports and the audit log."""

from flask import Blueprint, Flask

bp = Blueprint(__name__.rpartition(".")[2], __name__, url_prefix="/secretariat")

from . import exports, guards, operations, views  # noqa: E402, F401 - they register


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
