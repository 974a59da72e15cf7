from flask import Blueprint, Flask

bp = Blueprint("notifications", __name__)


def init_app(app: Flask) -> None:
    from . import models, views  # noqa: F401

    app.register_blueprint(bp)
    app.jinja_env.globals["unread_count"] = lambda: 0
