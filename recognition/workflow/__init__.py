"""The workflow engine: definitions as data, one writer of state, permissions from states.

It knows nothing of nominations: any model with a state column and a ``__workflow__``
attribute naming a definition in workflows/*.yaml can be bound to it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

bp = Blueprint("workflow", __name__, url_prefix="/workflow")


def load_definitions(app: Flask):
    """Load and fully validate workflows/*.yaml (predicates and filters included)."""
    from . import guards, worklists
    from .definition import DefinitionError, load_directory

    folder = Path(app.config["RECOGNITION_ROOT"]) / "workflows"
    definitions = load_directory(folder, guards.names())
    problems = worklists.validate_filters(definitions)
    if problems:
        raise DefinitionError(problems)
    return definitions


def init_app(app: Flask) -> None:
    """Load the definitions (refusing to start on a bad one) and register the pages."""
    from . import views  # noqa: F401 - registers the routes
    from .registry import WorkflowRegistry

    app.extensions["workflow"] = WorkflowRegistry(load_definitions(app))
    app.register_blueprint(bp)
