"""Locale selection and locale-aware formatting helpers for templates.

The locale comes from the signed-in user's preference; before sign-in from ``?lang=``, then
the ``lang`` cookie, then the browser's Accept-Language, then English.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask import current_app, request
from flask_babel import format_date, format_datetime, format_time, get_locale, get_timezone
from flask_login import current_user

from .config import LANGUAGES, RTL_LANGUAGES

LANGUAGE_COOKIE = "lang"


#: Requests under this path are the JSON API's (see web.py).
API_PATH = "/api/"


def select_locale() -> str:
    """Return the language code for this request: for the JSON API, the one its
    Accept-Language asks for before the user's own."""
    if request and request.path.startswith(API_PATH) and request.accept_languages:
        return request.accept_languages.best_match(LANGUAGES) or "en"
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


@dataclass(frozen=True)
class Area:
    """A country or area of the UN M49 standard (recognition/data/m49.csv)."""

    m49: str
    iso2: str
    #: The UN's English name ("Bolivia (Plurinational State of)").
    name: str
    #: False for areas without a permanent population (Antarctica, Bouvet Island...): no
    #: city lies there, so no form offers them.
    populated: bool


@cache
def m49_areas() -> dict[str, Area]:
    """The UN M49 countries and areas by ISO alpha-2 code, as shipped with the package."""
    text = resources.files(__package__).joinpath("data", "m49.csv").read_text("utf-8")
    return {
        row["iso2"]: Area(row["m49"], row["iso2"], row["name"], row["populated"] == "yes")
        for row in csv.DictReader(io.StringIO(text))
    }


def country_name(code: str | None) -> str:
    """A country or area named in the user's language: the CLDR name where Babel has one,
    the UN's English name in English or where it has none; a code outside M49 (stored
    before) by Babel's name, else as it is."""
    if not code:
        return ""
    code = code.upper()
    area = m49_areas().get(code)
    language = current_language()
    if area is not None and language == "en":
        return area.name
    return get_locale().territories.get(code) or (area.name if area else code)


def country_choices() -> list[tuple[str, str]]:
    """The UN M49 countries and areas where a city may lie (ISO alpha-2 codes), named in
    the user's language, sorted by name."""
    return sorted(
        ((a.iso2, country_name(a.iso2)) for a in m49_areas().values() if a.populated),
        key=lambda pair: pair[1].casefold(),
    )


def zone_label(value: datetime) -> str:
    """The user's time zone as a reader of their language names it at ``value``: "UTC", or
    the offset ("GMT+01:00", "UTC+01:00" in French, "غرينتش+01:00" in Arabic) — clearer
    than "+0100" and the same for every zone (CLDR has short names for few)."""
    if str(get_timezone()) in ("UTC", "Etc/UTC"):  # the zone the formatters use now
        return "UTC"
    try:
        return format_datetime(value, "ZZZZ")
    except OverflowError:  # at the calendar's edge times are shown in UTC
        return "UTC"


def deadline(value: datetime | None) -> str:
    """Format a UTC datetime in the user's locale and time zone, naming the time zone
    ("30 December 2026, 14:00 (UTC)")."""
    if value is None:
        return ""
    pattern = str(get_locale().datetime_formats.get("long", "{1} {0}"))
    try:
        when = pattern.format(format_time(value, "short"), format_date(value, "long"))
        return f"{when} ({zone_label(value)})"
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
