"""Campaign partners: organisations that apply, are verified by the secretariat, designate a
focal point and deputies, nominate on behalf of cities and others, and are listed publicly."""

from flask import Blueprint, Flask

bp = Blueprint("partners", __name__)

from . import record, roles, views  # noqa: E402, F401 - routes, panels and roles register


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The navigation's "Our organisation": shown to those acting for a partner.
    app.jinja_env.globals["our_partner_ids"] = views.acting_for
