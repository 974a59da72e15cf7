"""Accounts: users, cities and memberships; sign-in, registration, profile, invitations."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("accounts", __name__)

from ..extensions import db, login  # noqa: E402
from . import roles, views  # noqa: E402, F401 - routes and roles register
from .models import User  # noqa: E402


def init_app(app: Flask) -> None:
    login.login_view = "accounts.login"
    login.login_message_category = "info"
    login.login_message = _l("Please sign in to see this page.")

    @login.user_loader
    def load_user(user_id: str):
        try:
            return db.session.get(User, int(user_id))
        except ValueError:
            return None

    app.register_blueprint(bp)
