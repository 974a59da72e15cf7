"""The reviewer's reading: evidence PDFs and images previewed in the page, and a nomination's
answers and PDF evidence as one PDF to read offline (the packet)."""

from flask import Blueprint, Flask

bp = Blueprint("reading", __name__)

from . import panel, views  # noqa: E402, F401 - they register
from .operations import preview_kind  # noqa: E402


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The evidence lists offer "Preview" beside the download of what a browser can show.
    app.add_template_global(preview_kind)
