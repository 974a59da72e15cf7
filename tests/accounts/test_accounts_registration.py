"""A city focal point registers: an account, a city pending verification, a confirmation
e-mail; bad input is a field error, never a 500."""

from __future__ import annotations

import re
import time

import factories
import pytest
import sqlalchemy as sa
from accounts_support import html_of, link_path
from itsdangerous import TimestampSigner

from recognition.accounts.models import City, Membership, User
from recognition.extensions import db

GOOD = {
    "name": "Mateo Andrade",
    "email": "Mateo@Quito.example",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "locale": "es",
    "city_name": "Quito",
    "country": "EC",
    "region": "Pichincha",
    "population": "2800000",
}


@pytest.fixture
def register(client):
    def post(**changes):
        data = {**GOOD, **changes}
        return client.post("/register", data={k: v for k, v in data.items() if v is not None})

    return post


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_registration_page_renders_for_visitors(client):
    response = client.get("/register")
    assert response.status_code == 200
    assert 'name="city_name"' in html_of(response)


def test_registration_form_defaults_to_the_visitors_language(client):
    response = client.get("/register?lang=fr")
    assert '<option selected value="fr">' in html_of(response)


def test_registration_creates_a_user_with_the_email_lower_cased(app, register):
    register()
    user = db.session.scalar(sa.select(User))
    assert user.email == "mateo@quito.example"
    assert user.name == "Mateo Andrade"
    assert user.locale == "es"
    assert user.global_roles == frozenset()


def test_registration_hashes_the_password_with_argon2(app, register):
    register()
    user = db.session.scalar(sa.select(User))
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD["password"] not in user.password_hash


def test_registration_creates_a_pending_city_with_the_user_as_focal_point(app, register):
    register()
    city = db.session.scalar(sa.select(City))
    assert (city.name, city.country, city.region, city.population) == (
        "Quito",
        "EC",
        "Pichincha",
        2_800_000,
    )
    assert city.state == "pending"
    member = db.session.scalar(sa.select(Membership))
    assert (member.user.email, member.city_id) == ("mateo@quito.example", city.id)


def test_registration_signs_in_and_shows_the_city(app, client, register):
    response = register(locale="en")
    city = db.session.scalar(sa.select(City))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cities/{city.id}"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "awaits verification by the secretariat" in html_of(page)


def test_registration_queues_an_email_confirmation(app, register, outbox):
    register()
    [message] = outbox(template="confirm_email")
    assert message.to_email == "mateo@quito.example"
    assert message.locale == "es"
    assert link_path(message).startswith("/confirm/")


def test_registration_tells_the_secretariat_a_city_waits(app, register, outbox):
    officer = factories.make_secretariat(email="officer@example.org")
    db.session.commit()
    register()
    [message] = outbox(template="city_registered")
    assert message.recipient_id == officer.id
    assert "Quito" in message.subject


@pytest.mark.parametrize("typed", ["taken@example.org", "TAKEN@Example.ORG", " taken@example.org "])
def test_duplicate_email_is_an_error_next_to_the_field(app, register, typed):
    factories.make_user(email="taken@example.org")
    db.session.commit()
    response = register(email=typed)
    assert response.status_code == 200
    html = html_of(response)
    assert '<div id="email-error"' in html
    assert "An account with this e-mail address already exists." in html
    assert count(User) == 1
    assert count(City) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a" * 64 + "@" + "b" * 190 + ".org"}, "email"),
        ({"password": "", "confirm": ""}, "password"),
        ({"password": "short", "confirm": "short"}, "password"),
        ({"password": "x" * 501, "confirm": "x" * 501}, "password"),
        ({"confirm": "another long password"}, "confirm"),
        ({"locale": "de"}, "locale"),
        ({"city_name": ""}, "city_name"),
        ({"city_name": "x" * 161}, "city_name"),
        ({"country": ""}, "country"),
        ({"country": "XX"}, "country"),
        ({"country": None}, "country"),
        ({"region": "x" * 161}, "region"),
        ({"population": "many"}, "population"),
        ({"population": "0"}, "population"),
        ({"population": "-5"}, "population"),
        ({"population": "1" + "0" * 30}, "population"),
    ],
    ids=lambda v: repr(v)[:40] if isinstance(v, dict) else v,
)
def test_bad_registration_input_is_a_field_error(app, register, changes, field):
    response = register(**changes)
    assert response.status_code == 200
    assert f'<div id="{field}-error"' in html_of(response)
    assert count(User) == 0
    assert count(City) == 0


def test_a_refused_registration_keeps_what_was_typed(app, register):
    response = register(password="short", confirm="short")
    html = html_of(response)
    assert 'value="Quito"' in html
    assert 'value="Pichincha"' in html


def test_registration_without_population_or_region_is_fine(app, register):
    response = register(population="", region="")
    assert response.status_code == 302
    city = db.session.scalar(sa.select(City))
    assert city.population is None
    assert city.region == ""


def test_signed_in_user_visiting_register_goes_home(app, client, login_as):
    login_as(factories.make_user())
    db.session.commit()
    response = client.get("/register")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_registered_focal_point_can_sign_in_later(app, client, register, sign_in):
    register()
    client.post("/logout")
    response = sign_in("mateo@quito.example", GOOD["password"])
    assert response.status_code == 302


# -- e-mail confirmation -----------------------------------------------------------------


def confirmation_link(register, outbox) -> str:
    register(locale="en")
    [message] = outbox(template="confirm_email")
    return link_path(message)


def confirmed_at():
    db.session.expire_all()
    return db.session.scalar(sa.select(User)).email_confirmed_at


def test_opening_the_confirmation_link_confirms_nothing(app, client, register, outbox):
    """The finding: mail scanners open links; a GET confirmed the address."""
    response = client.get(confirmation_link(register, outbox))
    assert response.status_code == 200
    assert confirmed_at() is None


def test_the_confirmation_link_opens_a_page_with_a_button(app, client, register, outbox):
    path = confirmation_link(register, outbox)
    html = html_of(client.get(path))
    assert f'<form method="post" action="{path}">' in html
    assert "Confirm my e-mail address" in html
    assert "mateo@quito.example" in html


def test_the_button_confirms_the_address(app, client, register, outbox):
    response = client.post(confirmation_link(register, outbox), follow_redirects=True)
    assert "your e-mail address is confirmed" in html_of(response)
    assert confirmed_at() is not None


def test_the_button_needs_the_pages_csrf_token(app, client, register, outbox, monkeypatch):
    path = confirmation_link(register, outbox)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(path).status_code == 400
    assert confirmed_at() is None
    token = re.search(r'name="csrf_token" value="([^"]+)"', html_of(client.get(path))).group(1)
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    assert confirmed_at() is not None


def test_confirmation_link_works_once(app, client, register, outbox):
    path = confirmation_link(register, outbox)
    client.post(path)
    first = confirmed_at()
    response = client.post(path, follow_redirects=True)
    assert "not valid, or it was used already" in html_of(response)
    assert confirmed_at() == first
    response = client.get(path, follow_redirects=True)
    assert "not valid, or it was used already" in html_of(response)


def test_expired_confirmation_link_says_so(app, client, register, outbox, monkeypatch):
    path = confirmation_link(register, outbox)
    later = int(time.time()) + app.config["RECOGNITION_TOKEN_MAX_AGE"] + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post(path, follow_redirects=True)
    assert "This link has expired." in html_of(response)
    assert confirmed_at() is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_tampered_confirmation_link_is_refused(app, client, register, outbox, method):
    path = confirmation_link(register, outbox)
    # Inside the signature: the last base64 digit may carry only padding bits.
    tampered = path[:-5] + ("A" if path[-5] != "A" else "B") + path[-4:]
    response = getattr(client, method)(tampered)
    assert response.status_code == 302
    assert confirmed_at() is None


def test_an_address_registered_meanwhile_is_a_field_error(app, register, monkeypatch):
    """Two registrations racing for one address (a double click): the form check passed
    before the other committed; the database's refusal becomes the same field error."""
    factories.make_user(email="mateo@quito.example")
    db.session.commit()
    monkeypatch.setattr("recognition.accounts.forms.email_taken", lambda email: False)
    response = register()
    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in html_of(response)
    assert count(User) == 1
    assert count(City) == 0
