"""Who an API request acts as: the user of the personal access token it presents
(``Authorization: Bearer <token>``), else nobody. A session cookie is never read here, so no
other site can make a signed-in browser act through the API, and the API needs no form
token. Requests are counted against their rate limits: per client address without a token,
per token with one, and writes apart."""

from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import Blueprint

from ..accounts.throttling import spend, spend_by_address
from ..extensions import login
from ..i18n import gettext as _
from ..web import problem
from .models import ApiToken
from .operations import token_for
from .parsing import PARSER

BASE = "/api/v1"
#: Methods a ``read`` token may use.
READING = frozenset({"GET", "HEAD", "OPTIONS"})
#: The documentation's security requirement of an operation open to anyone: with or
#: without a token (a token's user may see more).
ANYONE: list[dict] = [{}, {"token": []}]
#: ... of an operation that needs a token.
TOKEN: list[dict] = [{"token": []}]


def api_blueprint(name: str, description: str) -> Blueprint:
    """A blueprint of the API's operations under /api/v1, each request authenticated."""
    blueprint = Blueprint(name, __name__, url_prefix=BASE, description=description)
    blueprint.ARGUMENTS_PARSER = PARSER
    blueprint.before_request(authenticate)
    blueprint.after_request(api_headers)
    return blueprint


def current_token() -> ApiToken | None:
    return g.get("api_token")


def authenticate():
    """Act as the token's user (or as nobody); refuse an unknown, revoked or read-only token
    where it does not do, and a request over its rate limit."""
    if request.method == "OPTIONS":
        return None
    config = current_app.config
    token = None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _space, value = header.strip().partition(" ")
        token = token_for(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            wait = spend_by_address(
                "api-refused", "RECOGNITION_API_ANONYMOUS_LIMIT", request.remote_addr
            )
            if wait:
                return _too_many(wait)
            return problem(
                401, _("This access token is unknown or revoked. Make a new one on your profile.")
            )
    g.api_token = token
    login._update_request_context_with_user(token.user if token else None)
    if token is None:
        wait = spend_by_address("api", "RECOGNITION_API_ANONYMOUS_LIMIT", request.remote_addr)
    else:
        # Per user, not per token: more tokens are no more allowance.
        user = str(token.user_id)
        wait = spend("api-token", config["RECOGNITION_API_TOKEN_LIMIT"], user)
        if request.method not in READING:
            if not token.writes:
                return problem(
                    403,
                    _("This token may only read. Make a token that may write on your profile."),
                )
            wait = wait or spend("api-write", config["RECOGNITION_API_WRITE_LIMIT"], user)
    return _too_many(wait) if wait else None


def _too_many(wait: int):
    response = problem(429, _("Too many requests. Try again in %(num)d seconds.", num=wait))
    response.headers["Retry-After"] = str(wait)
    return response


def api_headers(response):
    """What a token's user reads stays out of every cache; public reads may be kept by
    anyone and checked again with their ETag."""
    response.vary.update(("Authorization", "Accept-Language"))
    if current_token() is not None or request.method not in READING:
        response.headers["Cache-Control"] = "no-store"
    elif response.status_code == 200 and not response.is_streamed:
        response.headers["Cache-Control"] = "public, no-cache"
        response.add_etag()
        response.make_conditional(request)
    return response
