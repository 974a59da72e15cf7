"""Helpers for the public-page tests."""

from __future__ import annotations

from datetime import datetime

import factories

ANNOUNCED_AT = datetime(2026, 3, 15, 9, 30)


def recognition(call, name, country="FR", state="announced", **fields):
    """A nomination of a new city named ``name`` to ``call`` in ``state``."""
    focal = factories.make_user()
    city = factories.make_city(name=name, country=country, members=[focal])
    if state == "announced":
        fields.setdefault("announced_at", call.announced_at)
    return factories.make_nomination(call=call, city=city, state=state, **fields)
