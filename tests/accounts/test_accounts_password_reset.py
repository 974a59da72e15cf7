"""Password reset: the same answer whether or not the address has an account; a signed,
expiring link that works once and refuses tampering."""

from __future__ import annotations

import time

import factories
import pytest
from accounts_support import html_of, link_path
from itsdangerous import TimestampSigner

from recognition.accounts.operations import check_password
from recognition.accounts.tokens import TokenInvalid, make_token, read_token
from recognition.extensions import db

NEW_PASSWORD = "a brand new password"
SAME_ANSWER = "If an account uses this address, a message with a link is on its way."


@pytest.fixture
def user(app):
    user = factories.make_user(email="ana@example.org", locale="fr")
    db.session.commit()
    return user


def ask(client, email):
    return client.post("/password/forgot", data={"email": email})


def reset_link(client, outbox, email="ana@example.org") -> str:
    ask(client, email)
    [message] = outbox(template="password_reset")
    return link_path(message)


def set_password(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def backdate(monkeypatch, seconds: int) -> None:
    """Make tokens signed from now on look ``seconds`` old."""
    then = int(time.time()) - seconds
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: then)


def test_forgot_page_renders(client):
    response = client.get("/password/forgot")
    assert response.status_code == 200
    assert 'name="email"' in html_of(response)


def test_login_page_links_to_the_forgot_page(client):
    assert 'href="/password/forgot"' in html_of(client.get("/login"))


def test_reset_request_queues_a_link_in_the_users_language(client, user, outbox):
    ask(client, "ANA@example.org")
    [message] = outbox(template="password_reset")
    assert message.to_email == "ana@example.org"
    assert message.locale == "fr"
    assert link_path(message).startswith("/password/reset/")


@pytest.mark.parametrize("email", ["ana@example.org", "nobody@example.org"])
def test_reset_request_answers_the_same_whether_or_not_the_account_exists(client, user, email):
    response = ask(client, email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert SAME_ANSWER in html_of(client.get("/login"))


def test_no_message_for_an_unknown_address(client, user, outbox):
    ask(client, "nobody@example.org")
    assert outbox() == []


def test_no_reset_message_for_an_inactive_account(app, client, outbox):
    factories.make_user(email="gone@example.org", active=False)
    db.session.commit()
    response = ask(client, "gone@example.org")
    assert response.headers["Location"] == "/login"
    assert outbox() == []


@pytest.mark.parametrize("email", ["", "not-an-address", "a" * 300 + "@example.org", "\x00\x01"])
def test_bad_reset_request_is_a_field_error(client, user, outbox, email):
    response = ask(client, email)
    assert response.status_code == 200
    assert '<div id="email-error"' in html_of(response)
    assert outbox() == []


def test_reset_link_shows_the_new_password_form(client, user, outbox):
    response = client.get(reset_link(client, outbox))
    assert response.status_code == 200
    assert "Choose a new password" in html_of(response)


def test_reset_link_sets_the_new_password(client, user, outbox):
    response = set_password(client, reset_link(client, outbox))
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    db.session.refresh(user)
    assert check_password(user, NEW_PASSWORD)


def test_the_new_password_signs_in_and_the_old_one_no_longer(client, user, outbox, sign_in):
    set_password(client, reset_link(client, outbox))
    assert sign_in("ana@example.org", factories.PASSWORD).status_code == 200
    assert sign_in("ana@example.org", NEW_PASSWORD).status_code == 302


def test_reset_link_works_once(client, user, outbox):
    path = reset_link(client, outbox)
    set_password(client, path)
    response = set_password(client, path, password="yet another password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/password/forgot"
    db.session.refresh(user)
    assert check_password(user, NEW_PASSWORD)


def test_used_reset_link_says_why(client, user, outbox):
    path = reset_link(client, outbox)
    set_password(client, path)
    response = client.get(path, follow_redirects=True)
    assert "This link is not valid, or it was used already." in html_of(response)


def test_a_password_change_voids_earlier_reset_links(client, user, outbox, login_as):
    path = reset_link(client, outbox)
    login_as(user)
    client.post(
        "/profile/password",
        data={"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    login_as(None)
    assert client.get(path).status_code == 302


@pytest.mark.parametrize(
    "tamper",
    [
        # Inside the signature: the last base64 digit may carry only padding bits.
        lambda token: token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:],
        lambda token: "x" + token,
        lambda token: token.split(".")[0],
        lambda token: "not-a-token",
    ],
    ids=["signature", "payload", "truncated", "garbage"],
)
def test_tampered_reset_link_is_refused(client, user, outbox, tamper):
    path = reset_link(client, outbox)
    token = path.rsplit("/", 1)[1]
    bad = f"/password/reset/{tamper(token)}"
    assert set_password(client, bad).status_code == 302
    db.session.refresh(user)
    assert check_password(user, factories.PASSWORD)


def test_expired_reset_link_is_refused_and_says_so(app, client, user, monkeypatch):
    max_age = app.config["RECOGNITION_TOKEN_MAX_AGE"]
    backdate(monkeypatch, max_age + 5)
    path = f"/password/reset/{make_token(user, 'reset')}"
    monkeypatch.undo()
    response = set_password(client, path)
    assert response.headers["Location"] == "/password/forgot"
    assert "This link has expired." in html_of(client.get("/password/forgot"))
    db.session.refresh(user)
    assert check_password(user, factories.PASSWORD)


def test_reset_link_still_works_just_before_expiry(app, client, user, monkeypatch):
    backdate(monkeypatch, app.config["RECOGNITION_TOKEN_MAX_AGE"] - 60)
    path = f"/password/reset/{make_token(user, 'reset')}"
    monkeypatch.undo()
    assert set_password(client, path).headers["Location"] == "/login"


def test_token_expiry_follows_the_configuration(app, user, monkeypatch):
    token = make_token(user, "reset")
    later = int(time.time()) + 120
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    monkeypatch.setitem(app.config, "RECOGNITION_TOKEN_MAX_AGE", 60)
    with pytest.raises(TokenInvalid) as info:
        read_token(token, "reset")
    assert info.value.expired


@pytest.mark.parametrize(("made_for", "used_for"), [("confirm", "reset"), ("invite", "reset")])
def test_a_token_works_only_for_its_purpose(user, made_for, used_for):
    with pytest.raises(TokenInvalid):
        read_token(make_token(user, made_for), used_for)


def test_a_token_signed_with_another_key_is_refused(app, user, monkeypatch):
    monkeypatch.setitem(app.config, "SECRET_KEY", "some other key")
    token = make_token(user, "reset")
    monkeypatch.undo()
    with pytest.raises(TokenInvalid):
        read_token(token, "reset")


def test_reset_link_of_a_deactivated_account_is_refused(client, user, outbox):
    path = reset_link(client, outbox)
    user.active = False
    db.session.commit()
    assert set_password(client, path).status_code == 302
    db.session.refresh(user)
    assert check_password(user, factories.PASSWORD)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": ""}, "password"),
        ({"confirm": "a different long password"}, "confirm"),
    ],
)
def test_bad_new_password_is_a_field_error_and_keeps_the_link(client, user, outbox, kwargs, field):
    path = reset_link(client, outbox)
    response = set_password(client, path, **kwargs)
    assert response.status_code == 200
    assert f'<div id="{field}-error"' in html_of(response)
    assert set_password(client, path).headers["Location"] == "/login"
