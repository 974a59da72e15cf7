"""The record's integrity: the history's hash chains checked (``flask audit verify``), each
call's record head (sealed by its announcement and published with it), and a nomination's
decision dossier, checked offline (``python -m recognition.audit.offline``)."""

from flask import Blueprint, Flask

bp = Blueprint("audit", __name__, url_prefix="/audit")

from . import views  # noqa: E402, F401 - routes and panels register
from .cli import audit_cli  # noqa: E402


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(audit_cli)
