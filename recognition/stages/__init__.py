"""Making Cities Resilient 2030 stages: a city asks for stage A (know better), B (plan better)
and C (implement better) in turn, with its evidence; the secretariat confirms each move or
refuses it with a reason (city_stage.yaml). The confirmed stage is public; programmes ask for
one with the rule ``city_stage_tagged``."""

from flask import Blueprint, Flask

bp = Blueprint("stages", __name__)

from . import guards, operations, roles, views  # noqa: E402, F401 - rules, routes, roles register
from .queries import public_stage_of  # noqa: E402


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The public city page shows the city's confirmed stage (templates/stages/_public.html).
    app.jinja_env.globals["public_city_stage"] = public_stage_of
