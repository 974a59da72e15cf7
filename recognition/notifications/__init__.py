"""Notifications: the transactional outbox, e-mail in the recipient's language, the sender,
reminders, and each user's notification list."""

from flask import Blueprint, Flask

bp = Blueprint("notifications", __name__)


def init_app(app: Flask) -> None:
    from flask_login import current_user

    from ..workflow.engine import transition_fired
    from . import models, views  # noqa: F401 - routes and models register
    from .operations import on_transition, unread_count

    # The signal is global, the app is not: connecting the same function again is a no-op,
    # so a second create_app() in one process (tests, scripts) does not queue every message
    # twice. on_transition works on whichever app is current when the engine fires.
    transition_fired.connect(on_transition, weak=False)
    app.register_blueprint(bp)
    app.jinja_env.globals["unread_count"] = lambda: unread_count(current_user)
