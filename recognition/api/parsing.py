"""What the API reads from a JSON body, cleaned as the site cleans forms (``CleanRequest``):
no control characters but tab and line breaks, no lone surrogates (a string no database or
export can write), and a body nested too deep is a 400, not a crash."""

from __future__ import annotations

from typing import Any

from flask import abort
from webargs import core
from webargs.flaskparser import FlaskParser

from ..web import without_controls


def clean(value: Any) -> Any:
    """A decoded JSON value with every string (keys included) cleaned."""
    if isinstance(value, str):
        return without_controls(value.encode("utf-8", "replace").decode("utf-8"))
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    return value


class CleanParser(FlaskParser):
    def _raw_load_json(self, req) -> Any:
        try:
            data = super()._raw_load_json(req)
        except RecursionError:
            abort(400)
        return data if data is core.missing else clean(data)


PARSER = CleanParser()
