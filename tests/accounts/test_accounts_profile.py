"""The profile page: name, preferred language, time zone, reviewer details, password change."""

from __future__ import annotations

import factories
import pytest
from accounts_support import html_of

from recognition.accounts.operations import check_password
from recognition.extensions import db

NEW_PASSWORD = "a brand new password"


def details(user, **changes):
    data = {
        "name": user.name,
        "locale": user.locale,
        "timezone": user.timezone,
        "country": "",
        "affiliations": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def user(app):
    user = factories.make_user(name="Ana Lima", email="ana@example.org")
    db.session.commit()
    return user


def test_profile_needs_sign_in(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_profile_shows_the_users_details(client, login_as, user):
    login_as(user)
    response = client.get("/profile")
    assert response.status_code == 200
    html = html_of(response)
    assert "ana@example.org" in html
    assert 'value="Ana Lima"' in html


def test_profile_lists_the_cities_a_focal_point_acts_for(app, client, login_as):
    focal = factories.make_focal_point()
    city = focal.memberships[0].city
    db.session.commit()
    login_as(focal)
    assert f'href="/cities/{city.id}"' in html_of(client.get("/profile"))


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Ana María Lima"), ("locale", "ar"), ("timezone", "America/Guayaquil")],
)
def test_profile_saves_a_detail(client, login_as, user, field, value):
    login_as(user)
    response = client.post("/profile", data=details(user, **{field: value}))
    assert response.status_code == 302
    db.session.refresh(user)
    assert getattr(user, field) == value


def test_saved_preferred_language_is_the_page_language(client, login_as, user):
    login_as(user)
    client.post("/profile", data=details(user, locale="ru"))
    assert '<html lang="ru" dir="ltr">' in html_of(client.get("/profile"))


def test_reviewer_saves_country_and_affiliations(app, client, login_as):
    reviewer = factories.make_reviewer()
    db.session.commit()
    login_as(reviewer)
    client.post("/profile", data=details(reviewer, country="KE", affiliations="Nairobi University"))
    db.session.refresh(reviewer)
    assert (reviewer.country, reviewer.affiliation_list) == ("KE", ["Nairobi University"])


@pytest.mark.parametrize("role", ["reviewer", None])
def test_country_and_affiliations_are_shown_to_reviewers_only(app, client, login_as, role):
    someone = factories.make_user(roles=(role,) if role else ())
    db.session.commit()
    login_as(someone)
    html = html_of(client.get("/profile"))
    assert ('name="affiliations"' in html) is (role == "reviewer")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"locale": "de"}, "locale"),
        ({"locale": ""}, "locale"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"country": "XX"}, "country"),
        ({"affiliations": "x" * 2001}, "affiliations"),
    ],
    ids=lambda v: repr(v)[:30] if isinstance(v, dict) else v,
)
def test_bad_profile_input_is_a_field_error(app, client, login_as, changes, field):
    reviewer = factories.make_reviewer(name="Ana Lima")
    db.session.commit()
    login_as(reviewer)
    response = client.post("/profile", data=details(reviewer, **changes))
    assert response.status_code == 200
    assert f'<div id="{field}-error"' in html_of(response)
    db.session.refresh(reviewer)
    assert (reviewer.name, reviewer.locale, reviewer.timezone) == ("Ana Lima", "en", "UTC")


# -- password change ---------------------------------------------------------------------


def change(client, current=factories.PASSWORD, password=NEW_PASSWORD, confirm=None):
    return client.post(
        "/profile/password",
        data={"current": current, "password": password, "confirm": confirm or password},
    )


def test_password_change_with_the_current_password(client, login_as, user):
    login_as(user)
    response = change(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    db.session.refresh(user)
    assert check_password(user, NEW_PASSWORD)
    assert not check_password(user, factories.PASSWORD)


def test_changed_password_is_the_one_that_signs_in(client, login_as, user, sign_in):
    login_as(user)
    change(client)
    client.post("/logout")
    assert sign_in("ana@example.org", factories.PASSWORD).status_code == 200
    assert sign_in("ana@example.org", NEW_PASSWORD).status_code == 302


def test_wrong_current_password_changes_nothing(client, login_as, user):
    login_as(user)
    response = change(client, current="not my password")
    assert response.status_code == 400
    assert "This is not your current password." in html_of(response)
    db.session.refresh(user)
    assert check_password(user, factories.PASSWORD)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"current": ""}, "current"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 501}, "password"),
        ({"confirm": "something else entirely"}, "confirm"),
    ],
)
def test_bad_password_change_is_a_field_error(client, login_as, user, kwargs, field):
    login_as(user)
    response = change(client, **kwargs)
    assert response.status_code == 400
    assert f'<div id="{field}-error"' in html_of(response)
    db.session.refresh(user)
    assert check_password(user, factories.PASSWORD)


def test_password_change_needs_sign_in(app, client):
    response = change(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_refused_password_change_still_shows_the_saved_details(client, login_as, user):
    login_as(user)
    response = change(client, current="not my password")
    assert 'value="Ana Lima"' in html_of(response)


def test_focal_point_saves_the_fields_its_form_shows(app, client, login_as):
    """Country and affiliations are not on a focal point's form, so the browser omits them."""
    focal = factories.make_focal_point(country="EC", affiliations="Municipio de Quito")
    db.session.commit()
    login_as(focal)
    response = client.post(
        "/profile", data={"name": "Mateo", "locale": "es", "timezone": "America/Guayaquil"}
    )
    assert response.status_code == 302
    db.session.refresh(focal)
    assert (focal.name, focal.locale, focal.timezone) == ("Mateo", "es", "America/Guayaquil")
    assert (focal.country, focal.affiliations) == ("EC", "Municipio de Quito")
