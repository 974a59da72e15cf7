"""Fixtures: an app on SQLite or PostgreSQL, a client, a db session and login helpers.

The suite runs on SQLite by default. With RECOGNITION_TEST_DB=postgresql it runs on a fresh
PostgreSQL database (RECOGNITION_TEST_POSTGRES_URL) created for the run and dropped after it.
When PostgreSQL is unreachable the run stops: with CI=true as a failure, else as a skip that
says why.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from database_support import empty_tables
from flask.testing import FlaskClient

from recognition import create_app
from recognition.extensions import db as _db
from recognition.extensions import limiter

POSTGRES_URL = os.environ.get(
    "RECOGNITION_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKEND = os.environ.get("RECOGNITION_TEST_DB", "sqlite")


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def _create_postgres_database() -> tuple[str, str]:
    name = f"recognition_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.exit(message, returncode=3)
        pytest.skip(message, allow_module_level=True)
    admin.dispose()
    url = sa.engine.make_url(POSTGRES_URL).set(database=name)
    return url.render_as_string(hide_password=False), name


def _drop_postgres_database(name: str) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if BACKEND == "postgresql":
        url, name = _create_postgres_database()
        yield url
        _drop_postgres_database(name)
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


def test_config(database_url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RECOGNITION_UPLOAD_FOLDER": str(tmp / "uploads"),
        "RECOGNITION_ARGON2_TIME_COST": 1,
        "RECOGNITION_ARGON2_MEMORY_COST": 256,
        "RATELIMIT_STORAGE_URI": "memory://",
        # The reset form's timebox (equal time whether an account exists): tested in accounts.
        "RECOGNITION_RESET_MIN_MS": 0,
        # The webhook tests' receivers listen on this machine.
        "RECOGNITION_WEBHOOK_PRIVATE_ADDRESSES": True,
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(test_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


class Client(FlaskClient):
    """A test client whose every request runs in a fresh app context, as in production:
    its own database session and its own ``g``, separate from the test's."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture
def app(_app):
    _app.test_client_class = Client
    ctx = _app.app_context()
    ctx.push()
    yield _app
    _db.session.rollback()
    ctx.pop()
    empty_tables(_app)
    limiter.reset()
    shutil.rmtree(_app.config["RECOGNITION_UPLOAD_FOLDER"], ignore_errors=True)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login_as(client):
    """Sign a user in on the test client: ``login_as(user)``; ``login_as(None)`` signs out."""

    def login(user):
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        return client

    return login
