"""Public pages answer with an ETag, and with 304 Not Modified (no body) when the visitor's
copy is still what the page shows; a change shows again; signed-in pages stay uncached."""

from __future__ import annotations

import factories
import pytest
from public_support import announced_call, recognition

PAGES = [
    "/",
    "/recognised",
    "/recognised/cities/{city}",
    "/announcements",
    "/feed.atom",
    "/partners",
]


@pytest.fixture
def city(db):
    call = announced_call()
    found = recognition(call, "Lyon", "FR").city
    db.session.commit()
    return found


@pytest.mark.parametrize("path", PAGES)
def test_an_unchanged_public_page_answers_not_modified(client, city, path):
    url = path.format(city=city.id)
    first = client.get(url)
    assert first.status_code == 200
    # The same for every visitor: shared caches may keep it too (and must ask again).
    assert first.headers["Cache-Control"] == "public, no-cache"
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_a_page_with_the_visitors_own_message_is_private(client, city):
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your language is French")]
    response = client.get("/recognised")
    assert "Your language is French" in response.text
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_a_changed_page_is_sent_again(db, client, city):
    first = client.get("/recognised")
    recognition(announced_call(cycle="2026"), "Quito", "EC")
    db.session.commit()
    again = client.get("/recognised", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "Quito" in again.get_data(as_text=True)
    assert again.headers["ETag"] != first.headers["ETag"]


def test_signed_in_pages_are_not_kept_nor_tagged(db, client, login_as, city):
    login_as(factories.make_secretariat())
    db.session.commit()
    response = client.get("/recognised")
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
