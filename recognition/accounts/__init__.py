"""Accounts: users, cities and memberships; sign-in, registration, profile, invitations."""

from flask import Blueprint, Flask

bp = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    from ..extensions import db, login
    from . import roles, views  # noqa: F401 - routes and local roles
    from .models import User

    login.login_view = "accounts.login"
    login.login_message_category = "info"

    @login.user_loader
    def load_user(user_id: str):
        try:
            return db.session.get(User, int(user_id))
        except ValueError:
            return None

    from flask_babel import lazy_gettext as _l

    login.login_message = _l("Please sign in to see this page.")
    app.register_blueprint(bp)
