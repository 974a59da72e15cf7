"""Signing in and out: the happy path, one generic refusal, inactive accounts, bad input."""

from __future__ import annotations

import factories
import pytest
from accounts_support import html_of

from recognition.extensions import db

GENERIC = "Wrong e-mail address or password."


def session_user_id(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="email"' in html_of(response)
    assert 'name="password"' in html_of(response)


def test_sign_in_with_the_right_password(app, client, sign_in):
    user = factories.make_user(email="ana@example.org", name="Ana")
    db.session.commit()
    response = sign_in("ana@example.org", factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert session_user_id(client) == str(user.id)


def test_sign_in_welcomes_the_user_by_name(app, sign_in):
    factories.make_user(email="ana@example.org", name="Ana Lima")
    db.session.commit()
    response = sign_in("ana@example.org", factories.PASSWORD, follow_redirects=True)
    assert "Welcome, Ana Lima." in html_of(response)


@pytest.mark.parametrize("typed", ["ANA@EXAMPLE.ORG", "  Ana@Example.org  ", "ana@example.org"])
def test_sign_in_ignores_the_case_and_spaces_of_the_email(app, client, sign_in, typed):
    user = factories.make_user(email="ana@example.org")
    db.session.commit()
    response = sign_in(typed, factories.PASSWORD)
    assert response.status_code == 302
    assert session_user_id(client) == str(user.id)


def test_wrong_password_gives_the_generic_message(app, client, sign_in):
    factories.make_user(email="ana@example.org")
    db.session.commit()
    response = sign_in("ana@example.org", "not the password")
    assert response.status_code == 200
    assert GENERIC in html_of(response)
    assert session_user_id(client) is None


def test_unknown_email_and_wrong_password_look_the_same(app, sign_in):
    """Nothing tells a visitor whether an account exists: same status, same message."""
    factories.make_user(email="ana@example.org")
    db.session.commit()
    wrong = sign_in("ana@example.org", "not the password")
    unknown = sign_in("nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in html_of(wrong) and GENERIC in html_of(unknown)
    strip = lambda r, email: html_of(r).replace(email, "")  # noqa: E731
    assert strip(wrong, "ana@example.org") == strip(unknown, "nobody@example.org")


def test_inactive_account_cannot_sign_in(app, client, sign_in):
    factories.make_user(email="gone@example.org", active=False)
    db.session.commit()
    response = sign_in("gone@example.org", factories.PASSWORD)
    assert response.status_code == 200
    assert GENERIC in html_of(response)
    assert session_user_id(client) is None


def test_invited_account_without_password_cannot_sign_in(app, client, sign_in):
    factories.make_user(email="invited@example.org", password=None)
    db.session.commit()
    response = sign_in("invited@example.org", "")
    assert session_user_id(client) is None
    response = sign_in("invited@example.org", "anything at all")
    assert GENERIC in html_of(response)
    assert session_user_id(client) is None


def test_a_deactivated_account_loses_its_session(app, client, login_as):
    """Deactivating an account ends its sign-in at the next request, not at cookie expiry."""
    user = factories.make_user()
    db.session.commit()
    login_as(user)
    assert client.get("/profile").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("", factories.PASSWORD, "email"),
        ("ana@example.org", "", "password"),
        ("a" * 250 + "@example.org", factories.PASSWORD, "email"),
        ("ana@example.org", "x" * 501, "password"),
    ],
    ids=["empty email", "empty password", "overlong email", "overlong password"],
)
def test_bad_sign_in_input_is_a_field_error(app, client, sign_in, email, password, field):
    factories.make_user(email="ana@example.org")
    db.session.commit()
    response = sign_in(email, password)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html_of(response)
    assert session_user_id(client) is None


def test_a_nul_byte_in_the_email_is_dropped_not_a_crash(app, client, sign_in):
    """PostgreSQL refuses text with NUL even in a WHERE clause: the request drops it first."""
    factories.make_user(email="ana@example.org")
    db.session.commit()
    response = sign_in("ana\x00@example.org", factories.PASSWORD)
    assert response.status_code == 302
    assert session_user_id(client) is not None


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/profile", "/profile"),
        ("/calls?page=2", "/calls?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_sign_in_returns_to_a_local_next_page_only(app, sign_in, next_url, landing):
    factories.make_user(email="ana@example.org")
    db.session.commit()
    response = sign_in("ana@example.org", factories.PASSWORD, next=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_protected_page_sends_visitors_to_sign_in_and_back(app, client, sign_in):
    factories.make_user(email="ana@example.org")
    db.session.commit()
    response = client.get("/profile")
    assert response.status_code == 302
    login_page = client.get(response.headers["Location"])
    assert 'name="next" type="hidden" value="/profile"' in html_of(login_page)


def test_signed_in_user_visiting_login_goes_home(app, client, login_as):
    login_as(factories.make_user())
    db.session.commit()
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_out_ends_the_session(app, client, login_as):
    user = factories.make_user()
    db.session.commit()
    login_as(user)
    response = client.post("/logout", follow_redirects=True)
    assert "You are signed out." in html_of(response)
    assert session_user_id(client) is None
    assert client.get("/profile").status_code == 302


def test_sign_out_needs_a_post(app, client, login_as):
    """A GET (a link, an image tag) cannot sign anyone out."""
    user = factories.make_user()
    db.session.commit()
    login_as(user)
    assert client.get("/logout").status_code == 405
    assert session_user_id(client) == str(user.id)
