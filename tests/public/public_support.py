"""Helpers for the public-page tests."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import factories
from database_support import recorded_statements as count_queries  # noqa: F401

ANNOUNCED_AT = datetime(2026, 3, 15, 9, 30)


def recognition(call, name, country="FR", state="announced", region="", **fields):
    """A nomination of a new city named ``name`` (in ``country`` and ``region``) to ``call``
    in ``state``."""
    focal = factories.make_user()
    city = factories.make_city(name=name, country=country, region=region, members=[focal])
    if state == "announced":
        fields.setdefault("announced_at", call.announced_at)
    return factories.make_nomination(call=call, city=city, state=state, **fields)


def announced_call(programme_id="role_model_city", cycle="2025", days=0, **fields):
    """An announced call of ``programme_id``, announced ``days`` after ANNOUNCED_AT."""
    fields.setdefault("announcement", {"en": "Congratulations"})
    return factories.make_call(
        programme_id=programme_id,
        state="announced",
        cycle=cycle,
        announced_at=ANNOUNCED_AT + timedelta(days=days),
        **fields,
    )


def get(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def city_links(html: str) -> list[str]:
    """The names of the cities the page links to, in order."""
    return re.findall(r'<a href="/recognised/cities/\d+[^"]*" dir="auto">([^<]+)</a>', html)


def meta_tags(html: str) -> dict[str, list[str]]:
    """The page's <meta name|property=... content=...> values, by name or property."""
    found: dict[str, list[str]] = {}
    for key, value in re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', html):
        found.setdefault(key, []).append(value)
    return found
