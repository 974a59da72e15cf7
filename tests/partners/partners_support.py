"""Helpers for the partner tests: the forms' data, page text, a query counter."""

from __future__ import annotations

import re
from html import unescape

from database_support import recorded_statements as count_queries  # noqa: F401


def organisation_data(**changes) -> dict:
    """What the application and profile forms send for a valid organisation."""
    data = {
        "source_language": "en",
        "name_en": "Resilience Network",
        "offer_en": "Training for city engineers.",
        "kind": "ngo",
        "country": "KE",
        "website": "https://resilience.example.org",
        "essentials": ["3", "9"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def account_data(**changes) -> dict:
    """The account fields a visitor applies with."""
    data = {
        "account_name": "Wanjiru Kamau",
        "email": "wanjiru@example.org",
        "password": "a long enough password",
        "confirm": "a long enough password",
        "locale": "en",
        "timezone": "Africa/Nairobi",
    }
    data.update(changes)
    return data


def text_of(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities read, spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def error_after(html: str, field_id: str) -> str | None:
    """The error message shown for the field ``field_id``, if any."""
    found = re.search(
        rf'<div id="{field_id}-error" class="invalid-feedback d-block">([^<]*)<', html
    )
    return unescape(found.group(1)) if found else None
