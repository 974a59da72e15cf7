"""The nominating side: starting (for oneself or on a nominee's behalf), consent, drafts,
evidence, submission, revision and withdrawal of nominations."""

from flask import Blueprint, Flask

from ..nominees.labels import NOMINEE_DESCRIPTIONS, ORGANISATION_TYPE_TITLES

bp = Blueprint("nominations", __name__)

from . import guards, operations, roles, views  # noqa: E402, F401 - they register


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(guards.nominated_by)
    app.add_template_global(nominee_description)


def nominee_description(nominee) -> str:
    """What the nominee is: a city, a person, or the type of organisation."""
    if nominee.kind == "organisation" and nominee.organisation_type:
        return str(ORGANISATION_TYPE_TITLES.get(nominee.organisation_type, ""))
    return str(NOMINEE_DESCRIPTIONS.get(nominee.kind, ""))
