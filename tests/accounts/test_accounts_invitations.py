"""Invitations: the secretariat invites a reviewer or a secretariat member; the invitee sets
a password once through the e-mailed link and is signed in."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from accounts_support import html_of, link_path

from recognition.accounts.models import User
from recognition.accounts.operations import check_password, user_by_email
from recognition.extensions import db

PASSWORD = "my chosen password"


def invitation(**changes):
    data = {
        "name": "Kofi Mensah",
        "email": "Kofi@Example.org",
        "role": "reviewer",
        "locale": "fr",
        "country": "GH",
        "affiliations": "University of Ghana",
    }
    data.update(changes)
    return data


@pytest.fixture
def officer(app):
    officer = factories.make_secretariat(name="Sofía Officer")
    db.session.commit()
    return officer


@pytest.fixture
def invite(client, login_as, officer):
    """POST the invitation form as the secretariat officer."""

    def post(**changes):
        login_as(officer)
        return client.post("/invite", data=invitation(**changes))

    return post


def users() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def accept_path(invite, outbox) -> str:
    invite()
    [message] = outbox(template="invitation")
    return link_path(message)


def accept(client, path, password=PASSWORD, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def test_invite_page_renders_for_the_secretariat(client, login_as, officer):
    login_as(officer)
    response = client.get("/invite")
    assert response.status_code == 200
    assert 'name="role"' in html_of(response)


@pytest.mark.parametrize(
    "make",
    [factories.make_focal_point, factories.make_reviewer, factories.make_user],
    ids=["focal point", "reviewer", "no role"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_secretariat_may_invite(app, client, login_as, make, method):
    someone = make()
    db.session.commit()
    login_as(someone)
    before = users()
    response = getattr(client, method)("/invite", data=invitation())
    assert response.status_code == 403
    assert users() == before


def test_visitors_are_sent_to_sign_in(app, client):
    response = client.post("/invite", data=invitation())
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert users() == 0


@pytest.mark.parametrize("role", ["reviewer", "secretariat"])
def test_invitation_creates_a_user_with_the_role_and_no_password(invite, role):
    response = invite(role=role)
    assert response.status_code == 302
    user = user_by_email("kofi@example.org")
    assert user.global_roles == frozenset({role})
    assert user.password_hash is None
    assert (user.name, user.locale, user.country) == ("Kofi Mensah", "fr", "GH")
    assert user.affiliation_list == ["University of Ghana"]


def test_invitation_queues_an_email_in_the_invitees_language(invite, outbox):
    invite()
    [message] = outbox(template="invitation")
    assert message.to_email == "kofi@example.org"
    assert message.locale == "fr"
    assert "Sofía Officer" in message.body_text
    assert link_path(message).startswith("/invitation/")


def test_invitation_confirms_to_the_officer(client, invite):
    invite()
    assert "Kofi Mensah is invited." in html_of(client.get("/invite"))


@pytest.mark.parametrize("role", ["admin", "owner", ""])
def test_only_offered_roles_can_be_given(invite, outbox, role):
    """A forged form cannot make an administrator."""
    response = invite(role=role)
    assert response.status_code == 200
    assert '<div id="role-error"' in html_of(response)
    assert user_by_email("kofi@example.org") is None
    assert outbox(template="invitation") == []


@pytest.mark.parametrize("typed", ["kofi@example.org", "KOFI@EXAMPLE.ORG"])
def test_inviting_an_existing_address_is_a_field_error(app, invite, outbox, typed):
    factories.make_user(email="kofi@example.org")
    db.session.commit()
    response = invite(email=typed)
    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in html_of(response)
    assert outbox(template="invitation") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"email": ""}, "email"),
        ({"email": "kofi"}, "email"),
        ({"locale": "xx"}, "locale"),
        ({"country": "ZZ"}, "country"),
        ({"affiliations": "x" * 2001}, "affiliations"),
    ],
    ids=lambda v: repr(v)[:30] if isinstance(v, dict) else v,
)
def test_bad_invitation_input_is_a_field_error(invite, officer, changes, field):
    response = invite(**changes)
    assert response.status_code == 200
    assert f'<div id="{field}-error"' in html_of(response)
    assert users() == 1


# -- accepting -----------------------------------------------------------------------------


def test_invitation_link_shows_the_password_form(client, invite, outbox, login_as):
    path = accept_path(invite, outbox)
    login_as(None)
    response = client.get(path)
    assert response.status_code == 200
    assert "Accept the invitation" in html_of(response)


def test_accepting_sets_the_password_and_signs_in(client, invite, outbox, login_as):
    path = accept_path(invite, outbox)
    login_as(None)
    response = accept(client, path)
    assert response.status_code == 302
    user = user_by_email("kofi@example.org")
    assert check_password(user, PASSWORD)
    assert user.email_confirmed_at is not None
    with client.session_transaction() as session:
        assert session["_user_id"] == str(user.id)


def test_invited_reviewer_sees_my_reviews_after_accepting(client, invite, outbox, login_as):
    path = accept_path(invite, outbox)
    login_as(None)
    accept(client, path)
    assert 'href="/reviews"' in html_of(client.get("/"))


def test_invitation_link_works_once(client, invite, outbox, login_as):
    path = accept_path(invite, outbox)
    login_as(None)
    accept(client, path)
    login_as(None)
    response = accept(client, path, password="someone else's password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert check_password(user_by_email("kofi@example.org"), PASSWORD)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_tampered_invitation_link_is_refused(client, invite, outbox, login_as):
    path = accept_path(invite, outbox)
    login_as(None)
    tampered = path[:-5] + ("A" if path[-5] != "A" else "B") + path[-4:]
    response = accept(client, tampered)
    assert response.status_code == 302
    assert user_by_email("kofi@example.org").password_hash is None


def test_invitation_of_a_deactivated_account_is_refused(client, invite, outbox, login_as):
    path = accept_path(invite, outbox)
    user = user_by_email("kofi@example.org")
    user.active = False
    db.session.commit()
    login_as(None)
    accept(client, path)
    assert user_by_email("kofi@example.org").password_hash is None


def test_a_short_password_keeps_the_invitation_open(client, invite, outbox, login_as):
    path = accept_path(invite, outbox)
    login_as(None)
    response = accept(client, path, password="short")
    assert response.status_code == 200
    assert '<div id="password-error"' in html_of(response)
    assert accept(client, path).status_code == 302
    assert check_password(user_by_email("kofi@example.org"), PASSWORD)


def test_invited_user_cannot_sign_in_before_accepting(invite, client, login_as, sign_in):
    invite()
    login_as(None)
    response = sign_in("kofi@example.org", PASSWORD)
    assert response.status_code == 200
    assert "Wrong e-mail address or password." in html_of(response)


def test_an_address_taken_meanwhile_is_a_field_error(app, invite, outbox, monkeypatch):
    """An account created between the form check and the insert: a field error, no 500."""
    factories.make_user(email="kofi@example.org")
    db.session.commit()
    monkeypatch.setattr("recognition.accounts.forms.email_taken", lambda email: False)
    response = invite()
    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in html_of(response)
    assert outbox(template="invitation") == []
