"""Personal access tokens: made and revoked on the profile, shown once, stored hashed; a
token acts as its user and as nobody else, a read token only reads, and the API never acts
on a session cookie."""

from __future__ import annotations

import re

import factories
import sqlalchemy as sa

from recognition.api.models import ApiToken
from recognition.extensions import db

TOKEN = re.compile(r'id="new-token">(rcg_[A-Za-z0-9_-]+)<')


def make_token(client, name="Dashboard", scope="read") -> str:
    response = client.post(
        "/profile/tokens", data={"name": name, "scope": scope, "current": factories.PASSWORD}
    )
    assert response.status_code == 200
    return TOKEN.search(response.get_data(as_text=True))[1]


def test_a_token_is_shown_once_and_stored_hashed(app, login_as):
    user = factories.make_focal_point()
    db.session.commit()
    client = login_as(user)
    secret = make_token(client)
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.name == "Dashboard" and stored.scope == "read"
    assert secret not in (stored.token_hash, stored.prefix)
    assert secret.startswith(stored.prefix)
    listing = client.get("/profile/tokens").get_data(as_text=True)
    assert secret not in listing
    assert f"{stored.prefix}…" in listing


def test_the_token_acts_as_its_user(app, login_as, client):
    user = factories.make_focal_point(name="Aïssatou Diop")
    db.session.commit()
    secret = make_token(login_as(user))
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json["name"] == "Aïssatou Diop"
    assert me.json["cities"] == [user.memberships[0].city_id]
    assert me.json["token"] == {"name": "Dashboard", "scope": "read"}
    assert me.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_a_revoked_token_is_refused(app, login_as, client):
    user = factories.make_focal_point()
    db.session.commit()
    session = login_as(user)
    secret = make_token(session)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert session.post(f"/profile/tokens/{token_id}/revoke").status_code == 303
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_another_users_token(app, login_as):
    owner, other = factories.make_focal_point(), factories.make_focal_point()
    db.session.commit()
    make_token(login_as(owner))
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert login_as(other).post(f"/profile/tokens/{token_id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token_id).revoked_at is None


def test_a_token_of_a_deactivated_user_is_refused(app, bearer, client):
    user = factories.make_focal_point()
    headers = bearer(user)
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unknown_and_malformed_tokens_are_refused(client):
    for header in ("Bearer rcg_nothing", "Basic dXNlcjpwYXNz", "Bearer", "rcg_x"):
        response = client.get("/api/v1/programmes", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_a_read_token_may_not_write(app, bearer, client):
    user = factories.make_focal_point()
    nomination = factories.make_nomination(city=user.memberships[0].city)
    headers = bearer(user, "read")
    response = client.patch(
        f"/api/v1/nominations/{nomination.id}/answers",
        json={"answers": {"motivation": "Changed"}},
        headers=headers,
    )
    assert response.status_code == 403
    assert "only read" in response.json["detail"]
    db.session.expire_all()
    assert "motivation" not in db.session.get(type(nomination), nomination.id).answers


def test_a_session_cookie_never_acts_on_the_api(app, login_as):
    """A signed-in browser sending its cookie is nobody to the API: another site's page
    cannot make it act (and the API needs no form token)."""
    officer = factories.make_secretariat()
    db.session.commit()
    client = login_as(officer)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/nominations").status_code == 401


def test_making_a_token_needs_a_name(app, login_as):
    user = factories.make_focal_point()
    db.session.commit()
    client = login_as(user)
    nameless = {"name": " ", "scope": "write", "current": factories.PASSWORD}
    response = client.post("/profile/tokens", data=nameless)
    assert response.status_code == 200
    assert not TOKEN.search(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_making_a_token_needs_the_password(app, login_as):
    """A session left open (or stolen) is not enough to make a key that outlives it."""
    user = factories.make_focal_point()
    db.session.commit()
    client = login_as(user)
    response = client.post(
        "/profile/tokens", data={"name": "Mine now", "scope": "write", "current": "guess"}
    )
    html = response.get_data(as_text=True)
    assert "This is not your current password." in html
    assert not TOKEN.search(html)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_requests_beyond_the_rate_limit_wait(app, bearer, client):
    """The allowance is the user's: a second token gives no more."""
    app.config["RECOGNITION_API_TOKEN_LIMIT"] = "3/minute"
    try:
        user = factories.make_focal_point()
        first, second = bearer(user), bearer(user)
        answers = [client.get("/api/v1/me", headers=h) for h in (first, first, second, second)]
    finally:
        app.config["RECOGNITION_API_TOKEN_LIMIT"] = "1200/minute"
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert answers[-1].mimetype == "application/problem+json"
