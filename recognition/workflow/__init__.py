"""The workflow engine: definitions as data, one writer of state, permissions from states.

It knows nothing of nominations: any model with a state column and a ``__workflow__``
attribute naming a definition in workflows/*.yaml can be bound to it (``bind_model``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

bp = Blueprint("workflow", __name__, url_prefix="/workflow")

from . import guards, views, worklists  # noqa: E402, F401 - the routes register on bp
from .definition import DefinitionError, WorkflowDefinition, load_directory  # noqa: E402
from .registry import WorkflowRegistry, run_checks  # noqa: E402


def load_definitions(app: Flask) -> dict[str, WorkflowDefinition]:
    """Load and fully validate workflows/*.yaml: predicates and their parameters, worklist
    filters, and the rules other definitions (programmes) add to transitions."""
    folder = Path(app.config["RECOGNITION_ROOT"]) / "workflows"
    definitions = load_directory(folder, guards.registered())
    problems = worklists.validate_filters(definitions)
    if problems:
        raise DefinitionError(problems)
    return definitions


def init_app(app: Flask) -> None:
    """Load the definitions (refusing to start on a bad one) and register the pages.

    Called last: every package has registered its predicates, roles and rule sources.
    """
    app.extensions["workflow"] = WorkflowRegistry(load_definitions(app))
    with app.app_context():
        problems = run_checks()
    if problems:
        raise DefinitionError(problems)
    app.register_blueprint(bp)
