"""Webhooks: the secretariat's addresses told of chosen events, each delivery queued with
the change it reports, signed, retried and logged by the outbox sender."""

from flask import Blueprint, Flask

bp = Blueprint("webhooks", __name__)

from ..notifications.sender import drain_too  # noqa: E402
from ..workflow.engine import transition_fired  # noqa: E402
from . import models, views  # noqa: E402, F401 - routes and models register
from .operations import on_transition  # noqa: E402
from .sender import deliver_due  # noqa: E402


def init_app(app: Flask) -> None:
    transition_fired.connect(on_transition, weak=False)
    drain_too(deliver_due)
    app.register_blueprint(bp)
