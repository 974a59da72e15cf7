"""The JSON API (``/api/v1``): the public projection for anyone, and for a personal access
token everything its user may do on the pages, through the same permission checks and the
same engine. Described by OpenAPI 3.1 at ``/api/openapi.json``, read at ``/api/docs``; errors
are problem details (RFC 9457)."""

from __future__ import annotations

import http

import flask_smorest
from flask import Flask
from flask_cors import CORS
from limits import parse

from ..extensions import csrf
from . import nominations, public, reviews, secretariat, transitions
from .auth import BASE
from .schemas import ProblemSchema
from .views import pages

PROBLEM_TYPE = "application/problem+json"
#: Rate-limit settings in limits' notation, checked at start-up.
RATE_SETTINGS = (
    "RECOGNITION_API_ANONYMOUS_LIMIT",
    "RECOGNITION_API_TOKEN_LIMIT",
    "RECOGNITION_API_WRITE_LIMIT",
)


class Api(flask_smorest.Api):
    """flask-smorest's Api, answering errors as problem details: the site's error handlers
    (web.py) answer every request under /api/ so, the description says so."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """None of its own: web.py's handlers already know API requests from pages."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_TYPE: {"schema": self.ERROR_SCHEMA}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "A problem (RFC 9457)",
                "content": {PROBLEM_TYPE: {"schema": self.ERROR_SCHEMA}},
            },
            lazy=True,
        )


def init_app(app: Flask) -> None:
    for name in RATE_SETTINGS:
        try:
            parse(app.config[name])
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc
    app.config.update(
        API_TITLE="Recognition API",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "components": {
                "securitySchemes": {
                    "token": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal access token, made on your profile.",
                    }
                }
            },
        },
    )
    api = Api(app)
    for blueprint in (
        public.blp,
        nominations.blp,
        reviews.blp,
        secretariat.blp,
        transitions.blp,
    ):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # a token in a header, never a cookie: nothing to forge
    origins = app.config["RECOGNITION_API_CORS_ORIGINS"]
    anyone = origins in ("*", ["*"])
    CORS(
        app,
        resources={f"{BASE}/*": {"origins": "*" if anyone else origins}},
        send_wildcard=anyone,
        vary_header=not anyone,
        allow_headers=["Authorization", "Content-Type", "Accept-Language"],
        expose_headers=["ETag", "Retry-After", "Location"],
        supports_credentials=False,
        max_age=3600,
    )
    app.register_blueprint(pages)


DESCRIPTION = (
    "The campaign's data for other systems. Public reads need no token; everything else "
    "acts as a person, with a personal access token made on their profile and sent as "
    "`Authorization: Bearer <token>`, and may do exactly what that person may do on the "
    "pages. Errors are problem details (RFC 9457), in the language Accept-Language asks for."
)
