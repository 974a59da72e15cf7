"""Nominees — a city, an organisation or a person — and the register of past laureates."""

from flask import Blueprint, Flask

bp = Blueprint("nominees", __name__)

from . import guards, views  # noqa: E402, F401 - rules, routes and the panel register


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
