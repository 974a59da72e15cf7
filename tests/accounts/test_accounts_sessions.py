"""Sessions can be revoked: each carries its user's session generation, checked on every
request; signing out, a password change or reset and "Sign out everywhere" raise it, so a
copied cookie, another device's session or a remember-me cookie stops working."""

from __future__ import annotations

import factories
import pytest
from accounts_support import html_of, link_path
from flask_login.utils import encode_cookie

from recognition.accounts.operations import revoke_sessions, user_for_session
from recognition.extensions import db

NEW_PASSWORD = "a brand new password"


@pytest.fixture
def ana(app):
    user = factories.make_user(email="ana@example.org", name="Ana Lima")
    db.session.commit()
    return user


def signed_in(app, email="ana@example.org", password=factories.PASSWORD):
    """A browser signed in through the form."""
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    return browser


def copy_of(app, browser):
    """Another browser holding a copy of ``browser``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def is_signed_in(browser) -> bool:
    return browser.get("/profile").status_code == 200


def test_a_cookie_copied_before_sign_out_stops_working(app, ana):
    """The finding: signing out cleared only the browser's own cookie."""
    browser = signed_in(app)
    thief = copy_of(app, browser)
    assert is_signed_in(thief)
    browser.post("/logout")
    assert not is_signed_in(thief)
    assert not is_signed_in(browser)


def test_signing_out_ends_the_sessions_on_other_devices(app, ana):
    laptop, phone = signed_in(app), signed_in(app)
    laptop.post("/logout")
    assert not is_signed_in(phone)
    assert is_signed_in(signed_in(app))  # signing in again opens a new one


def test_a_password_change_ends_the_other_sessions_and_keeps_its_own(app, ana):
    laptop, phone = signed_in(app), signed_in(app)
    response = laptop.post(
        "/profile/password",
        data={"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.headers["Location"] == "/profile"
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)  # the session that changed it goes on


def test_a_refused_password_change_ends_no_session(app, ana):
    laptop, phone = signed_in(app), signed_in(app)
    laptop.post(
        "/profile/password",
        data={"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert is_signed_in(phone) and is_signed_in(laptop)


def test_a_password_reset_ends_every_session(app, client, ana, outbox):
    """Whoever knew the old password and signed in with it is signed out by the reset."""
    intruder = signed_in(app)
    client.post("/password/forgot", data={"email": "ana@example.org"})
    [message] = outbox(template="password_reset")
    client.post(link_path(message), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not is_signed_in(intruder)


def test_sign_out_everywhere_ends_the_other_sessions_and_keeps_this_one(app, ana):
    laptop, phone = signed_in(app), signed_in(app)
    thief = copy_of(app, phone)
    response = laptop.post("/profile/sessions", follow_redirects=True)
    assert "You are signed out everywhere else." in html_of(response)
    assert not is_signed_in(phone)
    assert not is_signed_in(thief)
    assert is_signed_in(laptop)


def test_sign_out_everywhere_is_a_button_on_the_profile(app, ana):
    html = html_of(signed_in(app).get("/profile"))
    assert 'action="/profile/sessions"' in html
    assert "Sign out everywhere" in html


def test_sign_out_everywhere_needs_a_signed_in_user(client):
    response = client.post("/profile/sessions")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_out_everywhere_needs_a_post(app, ana):
    assert signed_in(app).get("/profile/sessions").status_code == 405


def test_a_revoked_remember_me_cookie_no_longer_signs_in(app, ana):
    """Remember-me cookies carry the same id, generation included."""
    browser = app.test_client()
    with app.test_request_context():
        browser.set_cookie("remember_token", encode_cookie(ana.get_id()))
    assert is_signed_in(browser)
    revoke_sessions(ana)
    db.session.commit()
    other = app.test_client()
    with app.test_request_context():
        other.set_cookie("remember_token", browser.get_cookie("remember_token").value)
    assert not is_signed_in(other)


def test_the_session_id_carries_the_generation(app, ana):
    assert ana.get_id() == str(ana.id)  # generation 0: as sessions opened before it existed
    revoke_sessions(ana)
    assert ana.get_id() == f"{ana.id}:1"


def test_a_session_of_an_older_generation_is_refused(app, ana):
    old = ana.get_id()
    revoke_sessions(ana)
    assert user_for_session(old) is None
    assert user_for_session(ana.get_id()) == ana
    assert user_for_session(f"{ana.id}:0") is None


@pytest.mark.parametrize("value", ["", "x", "1:", ":1", "1:x", "1:1:1", "-1", "9" * 40, "١"])
def test_a_malformed_session_id_signs_nobody_in(app, ana, value):
    assert user_for_session(value) is None


def test_a_malformed_session_is_a_visitor_not_an_error(app, client, ana):
    with client.session_transaction() as session:
        session["_user_id"] = f"{ana.id}:not-a-number"
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_signing_out_without_a_session_is_harmless(client):
    response = client.post("/logout")
    assert response.status_code == 302
