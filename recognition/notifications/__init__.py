"""Notifications: the transactional outbox, e-mail in the recipient's language, the sender,
and each user's notification list."""

from flask import Blueprint, Flask
from flask_login import current_user

bp = Blueprint("notifications", __name__)

from ..workflow.engine import transition_fired, transitions_fired  # noqa: E402
from . import models, views  # noqa: E402, F401 - routes and models register
from .operations import before_transitions, on_transition, unread_count  # noqa: E402


def init_app(app: Flask) -> None:
    # The signal is global, the app is not: connecting the same function again is a no-op,
    # so a second create_app() in one process (tests, scripts) does not queue every message
    # twice. on_transition works on whichever app is current when the engine fires.
    transition_fired.connect(on_transition, weak=False)
    transitions_fired.connect(before_transitions, weak=False)
    app.register_blueprint(bp)
    app.jinja_env.globals["unread_count"] = lambda: unread_count(current_user)
