"""The home page's card of the reader's cities: a focal point sees each city they act for,
by name, with its state; a reader who acts for none costs no statement for it."""

from __future__ import annotations

import re

import factories
from database_support import recorded_statements

from recognition.extensions import db


def test_a_focal_point_sees_their_cities_by_name_with_their_state(client, login_as):
    focal = factories.make_user()
    factories.make_city(name="Quito", state="verified", members=[focal])
    factories.make_city(name="Lima", state="pending", members=[focal])
    factories.make_city(name="Bogota", members=[factories.make_user()])  # not theirs
    db.session.commit()
    html = login_as(focal).get("/").get_data(as_text=True)
    assert "Your city" in html
    assert re.findall(r'/cities/\d+" dir="auto">([^<]+)</a>', html) == ["Lima", "Quito"]
    assert "Bogota" not in html


def test_a_reader_without_a_city_has_no_card_and_reads_no_membership(client, login_as):
    officer = factories.make_secretariat()
    db.session.commit()
    client = login_as(officer)
    client.get("/")  # the worklist counts are kept from here on
    with recorded_statements() as sent:
        html = client.get("/").get_data(as_text=True)
    assert "Your city" not in html
    # The reader's own statement asks for the ids of their cities (none): nothing else does.
    assert not [s for s in sent if s.startswith(("SELECT memberships", "SELECT cities"))]
