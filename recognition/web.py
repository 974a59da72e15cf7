"""Site-wide web plumbing: home page, language switch, error pages (which render without the
database), health checks, request hygiene (control characters, size limits), security
headers, template helpers and pagination."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, getcontext
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from babel.numbers import NumberPattern, get_decimal_symbol, parse_pattern
from flask import (
    Blueprint,
    Flask,
    Request,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import (
    force_locale,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from . import i18n, pagecache
from .config import LANGUAGES
from .extensions import csrf, db
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .pagecache import shared_page
from .workflow.engine import CONCURRENT_MESSAGE, ConcurrentChange
from .workflow.locking import is_concurrency_error
from .workflow.security import can
from .workflow.templating import workflow_helpers
from .workflow.worklists import worklists_for

bp = Blueprint("main", __name__)


def public_page(view: Callable) -> Callable:
    """Mark a page anyone may read: answered with an ETag, and ``304 Not Modified`` when the
    visitor's copy is still what the page would show (see ``security_headers``); the same
    page for every anonymous visitor is kept and served again (``pagecache``)."""
    shared = shared_page(view)

    @wraps(view)
    def marked(*args, **kwargs):
        g.public_page = True
        return shared(*args, **kwargs)

    return marked


@bp.get("/")
@public_page
def home():
    """The start page: each role's worklists and shortcuts; a welcome for visitors."""
    return render_template("home.html", worklists=worklists_for(current_user))


@bp.post("/language")
def set_language():
    """Switch the interface language: saved on the profile, or in a cookie before sign-in.
    Only a signed-in user's switch needs the form's token: it changes their profile."""
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
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


def page_number(total: int, per_page: int, arg: str) -> int:
    """The page asked for by ``?<arg>=``; anything unreadable is the first, past the end the
    last."""
    try:
        page = max(1, int(request.args.get(arg, 1)))
    except ValueError:
        page = 1
    return min(page, max(1, -(-total // per_page)))


#: Pages asked beyond this are the last page (an offset the database can take).
_FARTHEST_PAGE = 10**9


def paginate(
    stmt: Any,
    per_page: int | None = None,
    scalars: bool = True,
    arg: str = "page",
    total: int | None = None,
) -> Page:
    """Paginate a SELECT by ``?<arg>=``; rows, or ORM objects.

    One statement: the page's rows, each with the count of all as an uncorrelated scalar
    subquery (evaluated once; the page keeps its own plan, an index scan under a LIMIT
    included). Only a page past the end, or an empty one after the first, counts apart and
    reads the last page. A caller that knows how many rows there are says so (``total``,
    e.g. from counts the page reads anyway): nothing is counted then.
    """
    per_page = per_page or current_app.config["RECOGNITION_PAGE_SIZE"]
    if total is not None:
        page = page_number(total, per_page, arg)
        result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
        items = result.unique().scalars().all() if scalars else result.all()
        return Page(items, page, per_page, total)
    try:
        asked = min(max(1, int(request.args.get(arg, 1))), _FARTHEST_PAGE)
    except ValueError:
        asked = 1
    count = (
        sa.select(sa.func.count())
        .select_from(stmt.order_by(None).subquery())
        .scalar_subquery()
        .label("page_total")
    )
    counted = stmt.add_columns(count)

    def read(page: int) -> tuple[list[Any], list[Any]]:
        """The page's rows with their count, and its items (ORM objects or named rows)."""
        result = db.session.execute(counted.limit(per_page).offset((page - 1) * per_page))
        if scalars:
            rows = result.unique().all()
            return rows, [row[0] for row in rows]
        width = len(result.keys()) - 1
        frozen = result.freeze()
        return frozen().all(), frozen().columns(*range(width)).all()

    rows, items = read(asked)
    if rows:
        page, total = asked, rows[0][-1]
    else:
        total = (db.session.scalar(sa.select(count)) or 0) if asked > 1 else 0
        page = min(asked, max(1, -(-total // per_page)))
        if page != asked:
            rows, items = read(page)
    return Page(items, page, per_page, total)


def paginate_list(items: list[Any], per_page: int | None = None, arg: str = "page") -> Page:
    """Paginate a list already in memory (sorted in Python, e.g. a ranking)."""
    per_page = per_page or current_app.config["RECOGNITION_PAGE_SIZE"]
    page = page_number(len(items), per_page, arg)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))


def page_url(page: int, arg: str = "page") -> str:
    """The page's address with another page number; arguments url_for would read as its own
    (``_external``, ``_scheme``…) are dropped, so a query cannot make links absolute."""
    args = {k: v for k, v in request.args.items() if not k.startswith("_")}
    args[arg] = str(page)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


ERRORS = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    401: (
        _l("Not signed in"),
        _l("This needs a valid access token: send it as “Authorization: Bearer <token>”."),
    ),
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
    415: (_l("Unsupported content"), _l("Send the request's body as JSON.")),
    422: (_l("Invalid input"), _l("Some of what you sent is not valid: see the errors.")),
    429: (_l("Too many attempts"), _l("Please wait a moment and try again.")),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened. It has been logged; please try again later."),
    ),  # noqa: E501
}


ERRORS[503] = (
    _l("Temporarily unavailable"),
    _l("The service is briefly unavailable. Please try again in a minute."),
)
#: Seconds a client is asked to wait before trying again while the database is unreachable.
RETRY_AFTER = 30


def is_api_request() -> bool:
    """Whether this is a request of the JSON API: its errors are problem details (RFC 9457)."""
    return has_request_context() and request.path.startswith(i18n.API_PATH)


def problem(code: int, detail: Any = None, **members: Any):
    """An error of the JSON API as ``application/problem+json`` (RFC 9457): its title and
    detail in the reader's language, and any extension members (``errors`` by field)."""
    title, default = ERRORS.get(code, ERRORS[500])
    body = {
        "type": "about:blank",
        "title": str(title),
        "status": code,
        "detail": str(detail or default),
        "instance": request.path,
        **members,
    }
    response = current_app.json.response(body)
    response.status_code = code
    response.mimetype = "application/problem+json"
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    elif code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def render_error(code: int, message: Any = None, back: str | None = None):
    """The error page, in the site's layout; without the database when it cannot be read."""
    if is_api_request():
        return problem(code, message)
    title, default = ERRORS.get(code, ERRORS[500])
    message = message or default
    try:
        page = render_template("error.html", code=code, title=title, message=message, back=back)
    except Exception:  # the layout reads the user, the database may be what failed
        current_app.logger.exception("the error page could not be drawn in the site's layout")
        db.session.rollback()
        return render_plain_error(code, message)
    return page, code


def render_plain_error(code: int, message: Any = None):
    """A self-contained error page: no database, no session; in the language the request asks
    for (``?lang=``, the language cookie, Accept-Language)."""
    if is_api_request():
        return problem(code, message)
    title, default = ERRORS.get(code, ERRORS[500])
    language = i18n.request_locale()
    with force_locale(language):
        # Straight from Jinja: Flask's context processors would load the signed-in user.
        page = current_app.jinja_env.get_template("error_plain.html").render(
            code=code,
            title=str(title),
            message=str(message or default),
            lang=language,
            direction=i18n.text_direction(language),
        )
    headers = {"Retry-After": str(RETRY_AFTER)} if code == 503 else {}
    return page, code, headers


#: PostgreSQL's codes for "the server cannot be used now": connection exceptions (08...),
#: shutting down, starting up.
_UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def database_unreachable(exc: BaseException) -> bool:
    """Whether a database error means the database cannot be reached (an outage), not that
    a statement or the data is wrong."""
    if isinstance(exc, sa.exc.TimeoutError):  # no connection free in the pool
        return True
    if not isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(_UNREACHABLE_SQLSTATES)
    if "sqlite" in type(exc.orig).__module__:
        text = str(exc.orig).lower()
        return any(t in text for t in ("unable to open database", "disk i/o error"))
    return True  # psycopg: no code when the server cannot be reached at all


#: C0 control characters but tab, line feed and carriage return: nobody types them, no
#: database stores NUL in text, and XML (the feed) refuses them all.
CONTROL_CHARACTERS = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]")


def without_controls(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


class CleanRequest(Request):
    """Requests whose form fields and query arguments carry no control characters: filtered
    once, here, for every view and form of the site."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form:
            self.__dict__["form"] = self.parameter_storage_class(
                [(key, without_controls(value)) for key, value in form.items(multi=True)]
            )

    @cached_property
    def args(self):
        return self.parameter_storage_class(
            [(without_controls(k), without_controls(v)) for k, v in super().args.items(multi=True)]
        )


def accepts_uploads(view: Callable) -> Callable:
    """Mark a view whose form may carry files: only such a view accepts a body as large as a
    whole nomination's files; every other request is capped at RECOGNITION_MAX_FORM_KB."""
    view.accepts_uploads = True
    return view


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


@bp.get("/healthz")
def healthz():
    """The process answers (for a load balancer); reads nothing."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """The process can serve: the database answers."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "database unreachable"}, 503, {"Retry-After": str(RETRY_AFTER)}
    return {"status": "ready"}


#: What a feature prepares before the server forks its workers (``warming``).
_WARMERS: list[Callable[[], None]] = []
_READERS: list[Callable[[], Iterable[tuple[Any, str]]]] = []

#: The public pages the master serves in each language before it forks its workers.
WARM_PAGES = ("/", "/recognised", "/login")


def warming(prepare: Callable[[], None]) -> Callable[[], None]:
    """Have ``warm_up`` call ``prepare`` (in an app context): work every worker would
    otherwise do at its first request, such as reading the time zone database."""
    _WARMERS.append(prepare)
    return prepare


def warming_pages(find: Callable[[], Iterable[tuple[Any, str]]]) -> Callable:
    """Have ``warm_up`` serve, signed in, the pages ``find`` names (in a request context, for
    ``url_for``) as (reader, path) pairs: the signed-in pages whose first view in a worker
    costs most (a call's ranking: its statements compiled, what it reads kept while nothing
    is written).

    A page is served as its reader would see it, so the reader must hold what it asks
    for; nothing of it leaves the master. Only pages that write nothing when viewed."""
    _READERS.append(find)
    return find


def warm_up(app: Flask) -> None:
    """What the server does once before it forks its workers (gunicorn.conf.py's
    ``when_ready``): serve the public pages in each site language (the catalogs, the
    locale data, the pages' statements compiled, the pages kept), run the features'
    ``warming`` hooks and serve the signed-in pages they name (``warming_pages``). The
    workers start with all of it, shared with the master."""
    client = app.test_client()
    reachable = all(
        # Stops at the first 5xx: the database unreachable, say (the workers will see to it)
        _served(app, client, path, {"Accept-Language": language})
        for language in LANGUAGES
        for path in WARM_PAGES
    )
    readers: list[tuple[str, str]] = []
    with app.app_context():
        for prepare in _WARMERS:
            try:
                prepare()
            except Exception:  # a server that starts cold is better than none
                app.logger.warning("warming up: %s failed", prepare.__qualname__, exc_info=True)
    with app.test_request_context():  # the finders name their pages with url_for
        for find in _READERS if reachable else ():
            try:
                readers += [(reader.get_id(), path) for reader, path in find()]
            except Exception:
                app.logger.warning("warming up: %s failed", find.__qualname__, exc_info=True)
    # Each page in a request of its own (outside the app context above, whose ``g`` every
    # request in it would share), signed in as its reader.
    for reader, path in readers:
        signed_in = app.test_client()
        with signed_in.session_transaction() as kept:
            kept["_user_id"] = reader
        if not _served(app, signed_in, path):
            return


def _served(app: Flask, client: Any, path: str, headers: dict | None = None) -> bool:
    """Serve ``path`` for warming; False when it answered 5xx (warming stops there: each
    page would wait for the same unreachable database)."""
    status = client.get(path, headers=headers).status_code
    if status >= 500:
        app.logger.warning("warming up: %s answered %s, not warmed further", path, status)
    return status < 500


def init_app(app: Flask) -> None:
    app.request_class = CleanRequest
    app.warm_up = lambda: warm_up(app)  # gunicorn.conf.py's when_ready calls it
    app.register_blueprint(bp)
    pagecache.init_app(app)
    # The language switch carries no form token for anonymous visitors (their public pages
    # are the same for everyone, see pagecache); a signed-in user's profile is protected.
    csrf.exempt(set_language)

    @app.after_request
    def expiring_session(response: Any) -> Any:
        """Sessions expire after PERMANENT_SESSION_LIFETIME without a page: the cookie's
        signed time is renewed by every page (not by static files, which stay cacheable).
        An empty session (an anonymous visitor who filled no form) stays empty: no cookie
        is sent, and the public page can be kept by any cache on the way."""
        if request.endpoint != "static" and not is_api_request() and session:
            session.permanent = True
        return response

    def limit_request_size() -> None:
        """Refuse, unread, a body larger than the view takes (413): a whole nomination's
        files on the views that accept uploads, a small form everywhere else."""
        config = current_app.config
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "accepts_uploads", False):
            request.max_content_length = (config["RECOGNITION_MAX_NOMINATION_MB"] + 1) << 20
        else:
            request.max_content_length = config["RECOGNITION_MAX_FORM_KB"] << 10

    # First of all: the CSRF check (registered earlier) reads the form, the whole body.
    app.before_request_funcs.setdefault(None, []).insert(0, limit_request_size)

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

    @app.errorhandler(sa.exc.SQLAlchemyError)
    def database_error(exc):
        """A deadlock or a lock not granted is someone else's change: 409; an unreachable
        database is an outage: 503 with Retry-After, on a page that needs no database;
        anything else is a 500."""
        if is_concurrency_error(exc):
            return conflict()
        db.session.rollback()
        if database_unreachable(exc):
            current_app.logger.error("database unreachable: %s", exc)
            return render_plain_error(503)
        current_app.logger.exception("database error", exc_info=exc)
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
        config = current_app.config
        if config["SESSION_COOKIE_SECURE"] and config["RECOGNITION_HSTS_SECONDS"]:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={config['RECOGNITION_HSTS_SECONDS']}"
            )
        if request.endpoint != "static" and session.get("_user_id"):
            # What a signed-in user sees (drafts, scores, exports naming reviewers) stays
            # out of every cache, the browser's history cache included.
            response.headers["Cache-Control"] = "no-store"
        elif g.get("public_page") and response.status_code == 200 and not response.is_streamed:
            # A visitor's browser keeps the page and asks again with its ETag: unchanged,
            # the answer is a 304 without the body. Private when the page carries something
            # of the visitor's own (a form token, a message): shared caches must not hand it
            # to others.
            shared = g.get("shared_page")
            response.headers["Cache-Control"] = f"{'public' if shared else 'private'}, no-cache"
            response.add_etag()
            response.make_conditional(request)
        return response

    app.jinja_env.globals.update(
        can=lambda permission, obj=None: can(current_user, permission, obj),
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
        datetime=lambda v, f="medium": _named_zone(v, _in_zone(format_datetime, v, f)),
        date=lambda v, f="medium": _in_zone(format_date, v, f),
        deadline=i18n.deadline,
        number=number,
        percent=lambda v: format_percent(v) if v is not None else "",
        tr=lambda text: _(text) if text else "",
        # Text stored before control characters were filtered out of requests: XML refuses them.
        xml_text=lambda text: without_controls(str(text or "")),
    )


def number(value: Any, fmt: str | None = None) -> str:
    """A number in the reader's locale ("" for None), with an optional pattern ("0.00").

    Two kinds of number are written without asking babel, which costs more than the rest of
    a cell (a ranking shows a few hundred means and totals): a whole number from 0 to 999
    (no grouping, Latin digits: as Python writes it in each of the site's languages), and a
    number that is not negative in a fixed-decimals pattern ("0.00": no grouping), rounded
    as babel rounds (the decimal of its text, half to even) with the locale's decimal sign.
    """
    if value is None:
        return ""
    if not fmt:
        if type(value) is int and 0 <= value < 1000:
            return str(value)
        return format_decimal(value)
    places = fixed_places(fmt)
    locale = i18n.locale_now()
    if places is not None and locale is not None and type(value) in (int, float, Decimal):
        exact = Decimal(str(value))
        # Within the context's precision: babel rounds to it first, then to the pattern.
        precise = len(exact.as_tuple().digits) <= getcontext().prec
        if exact.is_finite() and not exact.is_signed() and precise:
            with suppress(InvalidOperation):  # past the decimal context's precision
                rounded = f"{exact.quantize(Decimal(1).scaleb(-places)):f}"
                return rounded.replace(".", decimal_sign(str(locale)))
    return format_decimal(value, number_pattern(fmt))


@lru_cache(maxsize=64)
def fixed_places(pattern: str) -> int | None:
    """The decimals of a fixed-decimals pattern without grouping ("0", "0.0", "0.00"), else
    None."""
    found = re.fullmatch(r"0(?:\.(0+))?", pattern)
    return len(found.group(1) or "") if found else None


@lru_cache(maxsize=32)
def decimal_sign(locale: str) -> str:
    """The locale's decimal sign in Latin digits, as babel writes numbers."""
    return get_decimal_symbol(locale, numbering_system="latn")


@lru_cache(maxsize=64)
def number_pattern(pattern: str) -> NumberPattern:
    """A number format ("0.00") parsed once, not at every cell of a ranking."""
    return parse_pattern(pattern)


def _in_zone(formatter: Callable, value: Any, fmt: str) -> str:
    """A date formatted in the user's time zone; in UTC at the calendar's edge, where no
    other zone applies (a time stored as 9999-12-31 23:00)."""
    if not value:
        return ""
    try:
        return formatter(value, fmt)
    except OverflowError:
        return formatter(value, fmt, rebase=False)


def _named_zone(value: Any, formatted: str) -> str:
    """A time followed by the zone it is shown in ("2 Dec 2026, 14:00:00 (CET)"): a reader
    never has to guess whether a time is theirs or UTC."""
    return f"{formatted} ({i18n.zone_label(value)})" if value else formatted


def _on_error(exc, code: int):
    if code == 500:
        db.session.rollback()
    description = getattr(exc, "description", None)
    message = description if code in (400, 403, 409) and isinstance(description, str) else None
    if message and message.startswith(("The browser", "You don't have", "The server")):
        message = None  # werkzeug's default English descriptions: show ours instead
    if is_api_request():
        data = getattr(exc, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        return problem(
            code, data.get("message") or message, **({"errors": errors} if errors else {})
        )
    return render_error(code, message)
