"""Accounts: users, cities and memberships; sign-in, registration, profile, invitations."""

from flask import Blueprint, Flask
from flask_login import current_user
from limits import parse

from ..i18n import lazy_gettext as _l

bp = Blueprint("accounts", __name__)

from ..extensions import login  # noqa: E402
from . import roles, views  # noqa: E402, F401 - routes and roles register
from .operations import cities_of, city_ids_of, user_for_session  # noqa: E402

#: Settings in limits' notation ("10/hour"), checked at start-up rather than at a request.
RATE_SETTINGS = (
    "RECOGNITION_RESET_REQUEST_LIMIT",
    "RECOGNITION_RESET_MAIL_LIMIT",
    "RECOGNITION_REGISTER_LIMIT",
)


def init_app(app: Flask) -> None:
    for name in RATE_SETTINGS:
        try:
            parse(app.config[name])
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc
    login.login_view = "accounts.login"
    login.login_message_category = "info"
    login.login_message = _l("Please sign in to see this page.")
    # Every request: a session of an older generation than its user's is signed out.
    login.user_loader(user_for_session)
    # The cities the reader acts for, read once per request (the menu asks, so do the roles).
    app.jinja_env.globals["our_city_ids"] = lambda: city_ids_of(current_user)
    app.jinja_env.globals["our_cities"] = lambda: cities_of(current_user)
    app.register_blueprint(bp)
