"""Letters of support: referees answer through a single-use link, without an account."""

from flask import Blueprint, Flask

bp = Blueprint("letters", __name__)

# Roles, rules and the receive operation register; the views and the panel too.
from . import guards, operations, panel, roles, views  # noqa: E402, F401


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
