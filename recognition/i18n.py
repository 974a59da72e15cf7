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
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, request
from flask_babel import (
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_babel.speaklater import LazyString
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


def locale_now() -> Locale | None:
    """The locale of the request (or of a ``force_locale`` block), as ``get_locale``: once
    chosen, read where Flask-Babel keeps it, without its three context lookups."""
    locale = getattr(_babel_kept(), "babel_locale", None)
    return locale if locale is not None else get_locale()


def _babel_kept() -> Any:
    """What Flask-Babel keeps for the request (its locale), or None before it kept any or
    outside an application context."""
    try:
        return getattr(g, "_flask_babel", None)
    except RuntimeError:
        return None


def translations() -> NullTranslations:
    """The translations of the request's locale, as ``get_translations``, found once per
    locale and request: a page asks for them hundreds of times (one per message in its
    templates), and Flask-Babel finds them anew each time (~7 µs).

    They are kept beside the locale they were found for, so a ``force_locale`` block (a
    mail in the recipient's language) and ``refresh()`` (a changed preference) are
    followed."""
    kept = _babel_kept()
    locale = getattr(kept, "babel_locale", None)
    found = getattr(kept, "recognition_translations", None)
    if found is not None and locale is not None and found[0] is locale:
        return found[1]
    found = get_translations()
    kept = _babel_kept()
    if kept is not None and getattr(kept, "babel_locale", None) is not None:
        kept.recognition_translations = (kept.babel_locale, found)
    return found


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's ``gettext``, through the request's kept translations."""
    translated = translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Flask-Babel's ``ngettext`` (``num`` given to the text as ``%(num)d``), through the
    request's kept translations."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """A text translated when it is shown, in the language of the request that shows it."""
    return LazyString(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: Any) -> LazyString:
    return LazyString(ngettext, singular, plural, num, **variables)


def install_gettext(app: Flask) -> None:
    """Templates translate through ``translations()`` (Flask-Babel installs its own
    callables, which find the translations anew for each message)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def current_language() -> str:
    locale = locale_now()
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
