"""Locale selection and locale-aware formatting helpers for templates.

The locale comes from the signed-in user's preference; before sign-in from ``?lang=``, then
the ``lang`` cookie, then the browser's Accept-Language, then English.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask import current_app, request
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_login import current_user

from .config import LANGUAGES, RTL_LANGUAGES

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """Return the language code for this request."""
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return request_locale()


def request_locale() -> str:
    """The language the request itself asks for (``?lang=``, the cookie, Accept-Language),
    without reading the database: what an error page uses when the database is down."""
    if not request:
        return "en"
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or "en"


def select_timezone() -> str:
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"


def language_name(code: str, in_language: str | None = None) -> str:
    """Name a language in ``in_language`` (default: itself, as a language menu shows it)."""
    locale = Locale.parse(in_language or code)
    return Locale.parse(code).get_display_name(locale) or code


def language_choices(in_language: str | None = None) -> list[tuple[str, str]]:
    return [(code, language_name(code, in_language or current_language())) for code in LANGUAGES]


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return get_locale().territories.get(code.upper(), code.upper())


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries (two-letter codes) named in the user's language, sorted by name."""
    territories = get_locale().territories
    codes = [c for c in Locale.parse("en").territories if len(c) == 2 and c.isalpha()]
    excluded = {"ZZ", "QO", "EU", "EZ", "UN", "XA", "XB", "XK"}
    return sorted(
        ((c, territories.get(c, c)) for c in codes if c not in excluded),
        key=lambda pair: pair[1].casefold(),
    )


def deadline(value: datetime | None) -> str:
    """Format a UTC datetime in the user's locale and time zone, naming the time zone
    ("30 December 2026, 14:00 (UTC)")."""
    if value is None:
        return ""
    pattern = str(get_locale().datetime_formats.get("long", "{1} {0}"))
    try:
        when = pattern.format(format_time(value, "short"), format_date(value, "long"))
        return f"{when} ({format_datetime(value, 'z')})"
    except OverflowError:  # at the calendar's edge no time zone applies: say it in UTC
        when = pattern.format(
            format_time(value, "short", rebase=False), format_date(value, "long", rebase=False)
        )
        return f"{when} (UTC)"


def user_timezone() -> ZoneInfo:
    try:
        return ZoneInfo(select_timezone())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive datetime typed in the user's time zone -> naive UTC for the database."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=user_timezone()).astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # beyond the calendar once moved to UTC: refused by the forms
        return None


def utc_to_local(value: datetime | None) -> datetime | None:
    """Naive UTC from the database -> naive datetime in the user's time zone, for forms."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC).astimezone(user_timezone()).replace(tzinfo=None)
    except OverflowError:  # at the calendar's edge: shown as stored
        return value
