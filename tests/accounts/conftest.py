"""Helpers for the accounts tests: signing in through the form, reading the outbox, other
apps (other workers) on the test database, a Redis for shared counts."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
import sqlalchemy as sa

from recognition import create_app
from recognition.extensions import db, limiter
from recognition.notifications.models import OutboxMessage

REDIS_URL = os.environ.get("RECOGNITION_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def sign_in(client):
    """POST the sign-in form: ``sign_in(email, password, **extra)`` -> response."""

    def post(email, password, follow_redirects=False, **extra):
        data = {"email": email, "password": password, **extra}
        return client.post("/login", data=data, follow_redirects=follow_redirects)

    return post


@pytest.fixture
def outbox():
    """Messages in the outbox, oldest first; ``outbox(template=..., to=...)`` filters."""

    def messages(template=None, to=None):
        db.session.expire_all()
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        if template is not None:
            stmt = stmt.where(OutboxMessage.template == template)
        if to is not None:
            stmt = stmt.where(OutboxMessage.to_email == to)
        return list(db.session.scalars(stmt))

    return messages


@pytest.fixture(autouse=True)
def _no_reset_timebox(request):
    """Password-reset requests answer at once here; test_accounts_request_limits times them."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        patch = request.getfixturevalue("monkeypatch")
        patch.setitem(app.config, "RECOGNITION_RESET_MIN_MS", 0)


#: What another app built for a test shares with the test app.
SHARED_SETTINGS = (
    "TESTING",
    "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI",
    "WTF_CSRF_ENABLED",
    "RECOGNITION_UPLOAD_FOLDER",
    "RECOGNITION_ARGON2_TIME_COST",
    "RECOGNITION_ARGON2_MEMORY_COST",
    "RECOGNITION_RESET_MIN_MS",
    "SERVER_NAME",
)


@pytest.fixture
def another_app(app):
    """Build another app on the test database, as another worker would be:
    ``another_app(RECOGNITION_PROXIES=1)``. Its storage of counts is its own unless its
    RATELIMIT_STORAGE_URI names a shared one."""
    made = []

    def build(**overrides):
        config = {key: app.config[key] for key in SHARED_SETTINGS}
        config["RATELIMIT_STORAGE_URI"] = "memory://"
        other = create_app({**config, **overrides})
        other.test_client_class = app.test_client_class
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            limiter.reset()
            db.engine.dispose()


@pytest.fixture
def redis_storage():
    """Settings for a limiter storage on the Redis at 127.0.0.1:6379, under a key prefix of
    its own (other test runs may share that Redis). Unreachable, the test is skipped, or
    fails under CI, as for PostgreSQL."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": f"recognition-test-{uuid.uuid4().hex}"},
    }
