"""Site-wide web plumbing: home page, language switch, error pages, security headers,
template helpers and pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from . import i18n
from .config import LANGUAGES
from .extensions import db
from .workflow.engine import CONCURRENT_MESSAGE, ConcurrentChange, state_title
from .workflow.locking import is_concurrency_error
from .workflow.security import can
from .workflow.templating import workflow_helpers
from .workflow.worklists import worklists_for

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """The start page: each role's worklists and shortcuts; a welcome for visitors."""
    return render_template("home.html", worklists=worklists_for(current_user))


@bp.post("/language")
def set_language():
    """Switch the interface language: saved on the profile, or in a cookie before sign-in."""
    code = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("main.home"))
    response = redirect(target)
    if code in LANGUAGES:
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
        response.set_cookie(
            i18n.LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@dataclass
class Page:
    """One page of a query's results, fetched with one COUNT and one SELECT."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _page_number(total: int, per_page: int, arg: str) -> int:
    """The page asked for by ``?<arg>=``; anything unreadable is the first, past the end the
    last."""
    try:
        page = max(1, int(request.args.get(arg, 1)))
    except ValueError:
        page = 1
    return min(page, max(1, -(-total // per_page)))


def paginate(
    stmt: Any, per_page: int | None = None, scalars: bool = True, arg: str = "page"
) -> Page:
    """Paginate a SELECT by ``?<arg>=`` (one COUNT, one SELECT); rows, or ORM objects."""
    per_page = per_page or current_app.config["RECOGNITION_PAGE_SIZE"]
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    total = total or 0
    page = _page_number(total, per_page, arg)
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.scalars(limited) if scalars else db.session.execute(limited)
    return Page(list(result.unique() if scalars else result), page, per_page, total)


def paginate_list(items: list[Any], per_page: int | None = None, arg: str = "page") -> Page:
    """Paginate a list already in memory (sorted in Python, e.g. a ranking)."""
    per_page = per_page or current_app.config["RECOGNITION_PAGE_SIZE"]
    page = _page_number(len(items), per_page, arg)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))


def page_url(page: int, arg: str = "page") -> str:
    args = request.args.to_dict()
    args[arg] = str(page)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


ERRORS = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (
        _l("Not found"),
        _l("There is nothing here. The address may be wrong, or the item is not yours to see."),
    ),  # noqa: E501
    405: (_l("Not allowed"), _l("This action is not available at this address.")),
    409: (
        _l("Changed by someone else"),
        _l("This item was changed by someone else. Reload the page and try again."),
    ),  # noqa: E501
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (_l("Too many attempts"), _l("Please wait a moment and try again.")),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened. It has been logged; please try again later."),
    ),  # noqa: E501
}


def render_error(code: int, message: Any = None, back: str | None = None):
    title, default = ERRORS.get(code, ERRORS[500])
    page = render_template(
        "error.html", code=code, title=title, message=message or default, back=back
    )
    return page, code


def page_the_user_was_on() -> str | None:
    """The page a form was sent from (its ``next`` field, else the referrer on this site)."""
    target = request.form.get("next") if request.method == "POST" else None
    if not target and request.referrer:
        parts = urlsplit(request.referrer)
        if parts.netloc == request.host:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(target, "") or None


def conflict(message: Any = None):
    """409: someone else changed what the user acted on; a link reloads their page."""
    db.session.rollback()
    return render_error(409, message or CONCURRENT_MESSAGE, back=page_the_user_was_on())


#: The largest id a row has (PostgreSQL's INTEGER): larger numbers in an address are 404.
MAX_ID = 2**31 - 1


class BoundedInt(IntegerConverter):
    """``<int:...>`` in URLs, refusing ids no database column can hold (a 404, not a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_converters(app: Flask) -> None:
    """Called before any blueprint is registered, so that every ``<int:…>`` route uses it."""
    app.url_map.converters["int"] = BoundedInt


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def limit_request_size() -> None:
        """Refuse, unread, a body larger than a whole nomination's files may be (413)."""
        limit = current_app.config["RECOGNITION_MAX_NOMINATION_MB"] + 1
        request.max_content_length = limit * 1024 * 1024

    for code in ERRORS:
        app.register_error_handler(code, lambda exc, code=code: _on_error(exc, code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        db.session.rollback()
        return render_error(
            400,
            _(
                "This form has expired or was sent from elsewhere. Go back, reload the page and "
                "send it again; what you typed may need to be entered again."
            ),
        )

    @app.errorhandler(ConcurrentChange)
    def concurrent_change(exc):
        return conflict(exc.message)

    @app.errorhandler(StaleDataError)
    def stale_row(exc):
        """A row changed under an operation outside fire() (autoflush included): 409."""
        return conflict()

    @app.errorhandler(sa.exc.DBAPIError)
    def database_error(exc):
        """A deadlock or a lock not granted is someone else's change: 409; others are 500."""
        if is_concurrency_error(exc):
            return conflict()
        current_app.logger.exception("database error", exc_info=exc)
        db.session.rollback()
        return render_error(500)

    @app.after_request
    def security_headers(response):
        csp = getattr(g, "csp", None) or (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'"
        )
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Vary", "Cookie, Accept-Language")
        return response

    app.jinja_env.globals.update(
        can=lambda permission, obj=None: can(current_user, permission, obj),
        state_title=state_title,
        current_language=i18n.current_language,
        text_direction=i18n.text_direction,
        language_choices=i18n.language_choices,
        language_name=i18n.language_name,
        country_name=i18n.country_name,
        page_url=page_url,
        LANGUAGES=LANGUAGES,
        **workflow_helpers(),
    )
    app.jinja_env.filters.update(
        datetime=lambda v, f="medium": format_datetime(v, f) if v else "",
        date=lambda v, f="medium": format_date(v, f) if v else "",
        deadline=i18n.deadline,
        number=lambda v, f=None: format_decimal(v, f) if v is not None else "",
        percent=lambda v: format_percent(v) if v is not None else "",
        tr=lambda text: _(text) if text else "",
    )


def _on_error(exc, code: int):
    if code == 500:
        db.session.rollback()
    description = getattr(exc, "description", None)
    message = description if code in (400, 403, 409) and isinstance(description, str) else None
    if message and message.startswith(("The browser", "You don't have", "The server")):
        message = None  # werkzeug's default English descriptions: show ours instead
    return render_error(code, message)
