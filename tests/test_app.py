"""The application factory, configuration, schema and the base layout."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from recognition import create_app
from recognition.config import _database_url
from recognition.extensions import db


def test_models_and_migrations_agree(app):
    """The committed migrations build exactly the schema the models declare."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_database_url_uses_psycopg3_for_postgres():
    assert _database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert _database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert _database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_config_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("RECOGNITION_MAX_FILE_MB", "7")
    monkeypatch.setenv("RECOGNITION_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["RECOGNITION_MAX_FILE_MB"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    with app.app_context():
        db.engine.dispose()


def test_home_page_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "Register a city" in html
    assert "cdn" not in html.lower()


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_static_assets_are_served_locally(client):
    for path in (
        "/static/vendor/bootstrap/bootstrap.min.css",
        "/static/vendor/bootstrap/bootstrap.rtl.min.css",
        "/static/vendor/bootstrap/bootstrap.bundle.min.js",
        "/static/app.css",
        "/static/app.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_schema_has_every_table(app):
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {
        "users",
        "cities",
        "calls",
        "nominations",
        "assignments",
        "scores",
        "workflow_events",
        "outbox",
    } <= tables
