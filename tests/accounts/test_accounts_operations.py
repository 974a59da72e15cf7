"""Account operations and models: case-insensitive unique e-mail, argon2 hashes,
authentication, global roles."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from recognition.accounts.models import User
from recognition.accounts.operations import (
    authenticate,
    check_password,
    create_user,
    email_taken,
    hash_password,
    register_city,
    user_by_email,
)
from recognition.extensions import db


def test_email_is_stored_trimmed_and_lower_cased(app):
    user = create_user("  Ana@Example.ORG ", "Ana", "a long enough password")
    assert user.email == "ana@example.org"


def test_the_model_lower_cases_the_email_too(app):
    user = User(email="Ana@Example.ORG", name="Ana")
    assert user.email == "ana@example.org"


def test_two_accounts_cannot_share_an_email_in_any_case(app):
    create_user("ana@example.org", "Ana", None)
    with pytest.raises(sa.exc.IntegrityError):
        create_user("ANA@EXAMPLE.ORG", "Another Ana", None)


@pytest.mark.parametrize("typed", ["ana@example.org", "ANA@example.org", " ana@EXAMPLE.org"])
def test_lookups_ignore_case_and_spaces(app, typed):
    user = factories.make_user(email="ana@example.org")
    assert user_by_email(typed) == user
    assert email_taken(typed)


def test_passwords_are_hashed_with_argon2id(app):
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert PasswordHasher().verify(hashed, "a long enough password")


def test_the_same_password_hashes_differently_each_time(app):
    assert hash_password("a long enough password") != hash_password("a long enough password")


def test_check_password_accepts_the_right_password_only(app):
    user = factories.make_user()
    assert check_password(user, factories.PASSWORD)
    assert not check_password(user, factories.PASSWORD.upper())


@pytest.mark.parametrize("stored", [None, "", "not an argon2 hash"])
def test_check_password_refuses_accounts_without_a_usable_hash(app, stored):
    user = factories.make_user(password=None)
    user.password_hash = stored
    assert not check_password(user, "anything")


def test_check_password_without_a_user_is_false(app):
    assert not check_password(None, "anything")


def test_outdated_hash_parameters_are_upgraded_on_sign_in(app, client):
    """Hashes made with other argon2 costs are rehashed with the configured ones."""
    user = factories.make_user(email="ana@example.org", password=None)
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=512).hash("old but right")
    db.session.commit()
    response = client.post("/login", data={"email": "ana@example.org", "password": "old but right"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert "m=256,t=1" in user.password_hash
    assert check_password(user, "old but right")


@pytest.mark.parametrize(
    ("email", "password", "active", "signs_in"),
    [
        ("ana@example.org", factories.PASSWORD, True, True),
        ("ANA@example.org", factories.PASSWORD, True, True),
        ("ana@example.org", "wrong password", True, False),
        ("nobody@example.org", factories.PASSWORD, True, False),
        ("ana@example.org", factories.PASSWORD, False, False),
    ],
    ids=["right", "case", "wrong password", "unknown", "inactive"],
)
def test_authenticate(app, email, password, active, signs_in):
    user = factories.make_user(email="ana@example.org", active=active)
    assert (authenticate(email, password) == user) is signs_in


def test_create_user_grants_global_roles(app):
    user = create_user("rev@example.org", "Rev", None, roles=("reviewer",))
    assert user.global_roles == frozenset({"reviewer"})


def test_unknown_global_role_is_refused(app):
    user = factories.make_user()
    with pytest.raises(ValueError):
        user.grant("owner")


def test_register_city_makes_the_user_its_first_focal_point(app):
    user = factories.make_user()
    city = register_city(user, "  Quito ", "ec", " Pichincha ", 2_800_000)
    assert (city.name, city.country, city.region, city.state) == (
        "Quito",
        "EC",
        "Pichincha",
        "pending",
    )
    assert [m.user for m in city.memberships] == [user]
