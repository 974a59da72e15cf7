"""Public pages kept for anonymous visitors: served again while nothing was written, rendered
again after any write, never for a signed-in reader, never with a visitor's own form token
or message, per language."""

from __future__ import annotations

import factories
import pytest
from public_support import count_queries

from recognition import pagecache
from recognition.extensions import db
from recognition.notifications.operations import queue


@pytest.fixture
def network(app, db):
    factories.make_partner(name="First Network")
    db.session.commit()


def test_a_second_anonymous_visit_is_served_the_kept_page(client, network):
    first = client.get("/partners")
    assert "First Network" in first.text
    assert "X-Cache" not in first.headers
    with count_queries() as statements:
        second = client.get("/partners")
    assert second.headers["X-Cache"] == "hit"
    assert second.text == first.text
    # The site's generation at most (a PostgreSQL sequence; SQLite's is in the process).
    assert len(statements) <= (1 if db.engine.dialect.name == "postgresql" else 0)
    assert second.headers["Cache-Control"] == "public, no-cache"
    assert second.headers["Content-Type"] == first.headers["Content-Type"]


def test_a_write_is_shown_at_once(client, network):
    client.get("/partners")
    factories.make_partner(name="Second Network")
    db.session.commit()
    page = client.get("/partners")
    assert "X-Cache" not in page.headers
    assert "Second Network" in page.text


def test_mail_sent_keeps_the_kept_page(client, network):
    """No public page shows mail: the outbox sender's writes keep the pages."""
    reader = factories.make_user()
    db.session.commit()
    client.get("/partners")
    message = queue(reader, "transition", "News", opening="News.", comment=None)
    db.session.commit()
    message.status = "sent"
    db.session.commit()
    assert client.get("/partners").headers["X-Cache"] == "hit"


def test_a_page_kept_too_long_is_rendered_again(app, client, network):
    client.get("/partners")
    app.extensions["recognition.pagecache"].seconds = -1
    try:
        assert "X-Cache" not in client.get("/partners").headers
    finally:
        app.extensions["recognition.pagecache"].seconds = app.config[
            "RECOGNITION_PAGE_CACHE_SECONDS"
        ]


def test_each_language_has_its_page(client, network):
    english = client.get("/partners", headers={"Accept-Language": "en"})
    french = client.get("/partners", headers={"Accept-Language": "fr"})
    assert "X-Cache" not in french.headers
    assert french.text != english.text
    assert 'lang="fr"' in french.text
    again = client.get("/partners", headers={"Accept-Language": "fr"})
    assert again.headers["X-Cache"] == "hit"
    assert again.text == french.text


def test_a_signed_in_reader_is_never_served_the_kept_page(client, login_as, network):
    client.get("/partners")
    client.get("/partners")
    officer = factories.make_user(name="Officer Olga", roles=("secretariat",))
    db.session.commit()
    page = login_as(officer).get("/partners")
    assert "X-Cache" not in page.headers
    assert "Officer Olga" in page.text
    assert page.headers["Cache-Control"] == "no-store"


def test_the_anonymous_page_carries_no_form_token(client, network):
    page = client.get("/partners")
    assert "csrf_token" not in page.text
    with client.session_transaction() as session:
        assert "csrf_token" not in session


def test_a_page_with_a_message_for_the_visitor_is_not_kept(client, network):
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor")]
    page = client.get("/partners")
    assert "A message for this visitor" in page.text
    assert "A message for this visitor" not in client.get("/partners").text


def test_no_cache_when_its_size_is_zero(app, client, network):
    cache = app.extensions["recognition.pagecache"]
    cache.size = 0
    try:
        client.get("/partners")
        assert "X-Cache" not in client.get("/partners").headers
    finally:
        cache.size = app.config["RECOGNITION_PAGE_CACHE_SIZE"]


def test_the_least_recently_served_page_goes_first():
    cache = pagecache.PageCache(size=2, seconds=60)
    html = "text/html; charset=utf-8"
    for path in ("/a", "/b"):
        cache.put((path, "en"), pagecache.Kept(path.encode(), html, 1, 10**9))
    cache.get(("/a", "en"), 1)
    cache.put(("/c", "en"), pagecache.Kept(b"/c", html, 1, 10**9))
    assert cache.get(("/b", "en"), 1) is None
    assert cache.get(("/a", "en"), 1) is not None
    assert cache.get(("/a", "en"), 2) is None  # another generation: rendered again


# -- the language switch, without a token for visitors -------------------------------------


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_visitor_switches_language_without_a_token(client, csrf_on):
    response = client.post("/language", data={"lang": "es", "next": "/partners"})
    assert response.status_code == 302
    assert "lang=es" in response.headers["Set-Cookie"]


def test_a_signed_in_user_switches_language_only_with_the_token(client, login_as, csrf_on):
    user = factories.make_user(locale="en")
    db.session.commit()
    browser = login_as(user)
    refused = browser.post("/language", data={"lang": "es", "next": "/partners"})
    assert refused.status_code == 400
    db.session.expire_all()
    assert user.locale == "en"
