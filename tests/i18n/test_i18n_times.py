"""Every time on a page is shown in the reader's time zone and names it, so that no reader
has to guess whether a time is theirs or UTC."""

from __future__ import annotations

import re
from datetime import datetime

import factories
import pytest


@pytest.mark.parametrize(
    ("zone", "lang", "shown"),
    [
        ("Europe/Paris", "en", r"Jan 15, 2026, 1:30:00\s?PM \(GMT\+01:00\)"),
        ("Asia/Almaty", "fr", r"15 janv\. 2026, 17:30:00 \(UTC\+05:00\)"),
        ("UTC", "en", r"Jan 15, 2026, 12:30:00\s?PM \(UTC\)"),
    ],
)
def test_a_time_is_in_the_reader_s_zone_and_names_it(db, client, login_as, zone, lang, shown):
    focal = factories.make_focal_point(timezone=zone, locale=lang)
    city = focal.memberships[0].city
    factories.make_nomination(city=city, updated_at=datetime(2026, 1, 15, 12, 30))
    db.session.commit()
    login_as(focal)
    html = client.get("/nominations").get_data(as_text=True)
    assert re.search(shown, html.replace("\u202f", " ")), html
