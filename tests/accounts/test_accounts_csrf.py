"""CSRF: a POST without a valid token is refused with a 400 page that explains the form
expired; the same POST with the page's token goes through."""

from __future__ import annotations

import re
import time

import factories
import pytest
from accounts_support import html_of
from itsdangerous import TimestampSigner

from recognition.extensions import db

EXPLANATION = "This form has expired or was sent from elsewhere."


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def token_from(response) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html_of(response))
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def signed_in(app, client, login_as):
    user = factories.make_secretariat()
    db.session.commit()
    login_as(user)
    return user


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"email": "ana@example.org", "password": factories.PASSWORD}),
        ("/register", {"name": "Ana"}),
        ("/password/forgot", {"email": "ana@example.org"}),
    ],
)
def test_visitor_post_without_token_is_refused_with_an_explanation(csrf_on, client, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert EXPLANATION in html_of(response)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/logout", {}),
        ("/profile/sessions", {}),
        ("/profile", {"name": "Changed"}),
        ("/profile/password", {"current": factories.PASSWORD}),
        ("/invite", {"name": "Kofi", "email": "kofi@example.org", "role": "reviewer"}),
        # A visitor's switch only sets a cookie (their public pages carry no token); a
        # signed-in user's changes the profile.
        ("/language", {"lang": "fr"}),
    ],
)
def test_signed_in_post_without_token_is_refused_with_an_explanation(
    csrf_on, client, signed_in, path, data
):
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert EXPLANATION in html_of(response)


def test_refused_post_changes_nothing(csrf_on, client, signed_in):
    client.post("/profile", data={"name": "Changed", "locale": "fr", "timezone": "UTC"})
    db.session.refresh(signed_in)
    assert signed_in.name == "Officer"


def test_refused_sign_out_keeps_the_session(csrf_on, client, signed_in):
    client.post("/logout")
    with client.session_transaction() as session:
        assert session["_user_id"] == str(signed_in.id)


def test_a_wrong_token_is_refused_too(csrf_on, app, client):
    factories.make_user(email="ana@example.org")
    db.session.commit()
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": "ana@example.org", "password": factories.PASSWORD, "csrf_token": "x"},
    )
    assert response.status_code == 400


def test_post_with_the_pages_token_goes_through(csrf_on, app, client):
    factories.make_user(email="ana@example.org")
    db.session.commit()
    token = token_from(client.get("/login"))
    response = client.post(
        "/login",
        data={"email": "ana@example.org", "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302


def test_a_form_left_open_too_long_has_expired(csrf_on, app, client, monkeypatch):
    factories.make_user(email="ana@example.org")
    db.session.commit()
    long_ago = int(time.time()) - app.config["WTF_CSRF_TIME_LIMIT"] - 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: long_ago)
    token = token_from(client.get("/login"))
    monkeypatch.undo()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(
        "/login",
        data={"email": "ana@example.org", "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 400
    assert EXPLANATION in html_of(response)
