"""The links in account e-mails, used as a recipient would: the password-reset, invitation
and confirmation links taken from the queued message (OutboxMessage.link) expire, work once
and refuse tampering."""

from __future__ import annotations

import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import factories
import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner
from notifications_support import outbox

from recognition.accounts.models import User
from recognition.accounts.operations import check_password
from recognition.extensions import db

NEW_PASSWORD = "a brand new passphrase"
OTHER_PASSWORD = "yet another passphrase"


def path_of(link: str) -> str:
    return urlsplit(link).path


def _changed(text: str) -> str:
    """``text`` with its middle character replaced by another (still base64)."""
    middle = len(text) // 2
    return text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1 :]


def tampered(path: str, where: str) -> str:
    """The link's path with its token changed in one place (or cut short)."""
    prefix, token = path.rsplit("/", 1)
    payload, stamp, signature = token.split(".")
    if where == "payload":
        payload = _changed(payload)
    elif where == "signature":
        signature = _changed(signature)
    elif where == "truncated":
        signature = signature[:-5]
    return f"{prefix}/{payload}.{stamp}.{signature}"


@contextmanager
def issued_in_the_past(app):
    """A block in which links are signed longer ago than they live."""
    age = app.config["RECOGNITION_TOKEN_MAX_AGE"] + 60
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - age)
        yield


# -- password reset -------------------------------------------------------------------------------


def request_reset(client, email="ana@example.org") -> str:
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 302
    return path_of(outbox(template="password_reset")[-1].link)


def reset(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


@pytest.fixture
def ana(app, db):
    user = factories.make_user(email="ana@example.org")
    db.session.commit()
    return user


def test_the_reset_link_shows_the_form(app, client, ana):
    response = client.get(request_reset(client))
    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_the_reset_link_sets_the_new_password(app, client, ana):
    response = reset(client, request_reset(client))
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == "/login"
    assert check_password(db.session.get(User, ana.id), NEW_PASSWORD)


def test_the_reset_link_works_once(app, client, ana):
    path = request_reset(client)
    reset(client, path)
    response = reset(client, path, OTHER_PASSWORD)
    assert path_of(response.headers["Location"]) == "/password/forgot"
    user = db.session.get(User, ana.id)
    assert check_password(user, NEW_PASSWORD)
    assert not check_password(user, OTHER_PASSWORD)


def test_a_used_reset_link_says_it_is_no_longer_valid(app, client, ana):
    path = request_reset(client)
    reset(client, path)
    response = client.get(path, follow_redirects=True)
    assert "This link is not valid, or it was used already." in response.text


def test_using_one_reset_link_retires_the_others(app, client, ana):
    first, second = request_reset(client), request_reset(client)
    reset(client, first)
    response = reset(client, second, OTHER_PASSWORD)
    assert path_of(response.headers["Location"]) == "/password/forgot"
    assert check_password(db.session.get(User, ana.id), NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(app, client, ana):
    with issued_in_the_past(app):
        path = request_reset(client)
    response = reset(client, path)
    assert path_of(response.headers["Location"]) == "/password/forgot"
    assert check_password(db.session.get(User, ana.id), factories.PASSWORD)


def test_an_expired_reset_link_says_so(app, client, ana):
    with issued_in_the_past(app):
        path = request_reset(client)
    response = client.get(path, follow_redirects=True)
    assert "This link has expired. Ask for a new one." in response.text


@pytest.mark.parametrize("where", ["payload", "signature", "truncated"])
def test_a_tampered_reset_link_is_refused(app, client, ana, where):
    path = tampered(request_reset(client), where)
    response = reset(client, path)
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == "/password/forgot"
    assert check_password(db.session.get(User, ana.id), factories.PASSWORD)


def test_a_reset_link_is_no_invitation_link(app, client, ana):
    token = request_reset(client).rsplit("/", 1)[1]
    response = client.post(
        f"/invitation/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert check_password(db.session.get(User, ana.id), factories.PASSWORD)


def test_no_reset_message_for_an_unknown_address(app, client, ana):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert outbox() == []


# -- invitation -----------------------------------------------------------------------------------


def invite(client, login_as, email="rita@reviews.example.org") -> str:
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    response = client.post(
        "/invite",
        data={"name": "Rita", "email": email, "role": "reviewer", "locale": "en"},
    )
    assert response.status_code == 302
    login_as(None)
    return path_of(outbox(template="invitation")[-1].link)


def accept(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def rita() -> User:
    db.session.expire_all()
    return db.session.scalars(sa.select(User).where(User.email == "rita@reviews.example.org")).one()


def test_the_invitation_link_shows_the_form(app, client, login_as):
    response = client.get(invite(client, login_as))
    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_the_invitation_link_sets_a_password_and_confirms_the_address(app, client, login_as):
    response = accept(client, invite(client, login_as))
    assert response.status_code == 302
    user = rita()
    assert check_password(user, NEW_PASSWORD)
    assert user.email_confirmed_at is not None


def test_the_invitation_link_signs_the_reviewer_in(app, client, login_as):
    accept(client, invite(client, login_as))
    with client.session_transaction() as session:
        assert session.get("_user_id") == str(rita().id)


def test_the_invitation_link_works_once(app, client, login_as):
    path = invite(client, login_as)
    accept(client, path)
    login_as(None)
    response = accept(client, path, OTHER_PASSWORD)
    assert path_of(response.headers["Location"]) == "/"
    assert not check_password(rita(), OTHER_PASSWORD)


def test_an_expired_invitation_link_is_refused(app, client, login_as):
    with issued_in_the_past(app):
        path = invite(client, login_as)
    response = accept(client, path)
    assert response.status_code == 302
    assert rita().password_hash is None


@pytest.mark.parametrize("where", ["payload", "signature", "truncated"])
def test_a_tampered_invitation_link_is_refused(app, client, login_as, where):
    response = accept(client, tampered(invite(client, login_as), where))
    assert response.status_code == 302
    assert rita().password_hash is None


# -- e-mail confirmation --------------------------------------------------------------------------


def register(client) -> str:
    response = client.post(
        "/register",
        data={
            "name": "Ana",
            "email": "ana@lyon.example.org",
            "password": factories.PASSWORD,
            "confirm": factories.PASSWORD,
            "locale": "en",
            "city_name": "Lyon",
            "country": "FR",
        },
    )
    assert response.status_code == 302
    return path_of(outbox(template="confirm_email")[0].link)


def ana_of_lyon() -> User:
    db.session.expire_all()
    return db.session.scalars(sa.select(User).where(User.email == "ana@lyon.example.org")).one()


def test_the_confirmation_link_confirms_the_address(app, client):
    """The link opens a page; its button confirms (a mail scanner's GET confirms nothing)."""
    path = register(client)
    assert ana_of_lyon().email_confirmed_at is None
    client.get(path)
    assert ana_of_lyon().email_confirmed_at is None
    client.post(path)
    assert ana_of_lyon().email_confirmed_at is not None


def test_the_confirmation_link_works_once(app, client):
    path = register(client)
    client.post(path)
    confirmed = ana_of_lyon().email_confirmed_at
    response = client.post(path, follow_redirects=True)
    assert "This link is not valid, or it was used already." in response.text
    assert ana_of_lyon().email_confirmed_at == confirmed


@pytest.mark.parametrize("where", ["payload", "signature", "truncated"])
def test_a_tampered_confirmation_link_is_refused(app, client, where):
    client.post(tampered(register(client), where))
    assert ana_of_lyon().email_confirmed_at is None
