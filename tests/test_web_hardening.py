"""Site-wide hardening: control characters never reach a view, dates stay in the calendar,
signed-in pages stay out of caches, HTTPS sites say so, and a database outage answers 503
on a page that needs no database, in the reader's language."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import factories
import pytest
import sqlalchemy as sa

from recognition import create_app
from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.programmes.models import Call
from recognition.workflow.history import WorkflowEvent

CALL_FORM = {
    "programme_id": "role_model_city",
    "title_en": "Role Model Cities 2027",
    "cycle": "2027",
    "theme_en": "",
    "opens_at": "2027-01-10T09:00",
    "closes_at": "2027-03-31T18:00",
    "review_deadline": "2027-05-31T18:00",
    "announcement_at": "",
    "reviewers_per_nomination": "3",
    "disagreement_threshold": "2",
}


def text(response) -> str:
    return response.get_data(as_text=True)


# -- control characters ----------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f"])
def test_control_characters_are_dropped_from_every_form(db, client, login_as, character):
    login_as(factories.make_secretariat(timezone="UTC"))
    db.session.commit()
    title = f"Role{character} Model Cities"
    response = client.post("/calls/new", data={**CALL_FORM, "title_en": title})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Call.title)) == "Role Model Cities"


def test_tabs_and_line_breaks_are_kept(db, client, login_as):
    nomination = factories.make_nomination(state="submitted")
    login_as(factories.make_secretariat())
    db.session.commit()
    comment = "Line one\r\nLine\ttwo\x00"
    client.post(
        f"/workflow/nomination/{nomination.id}/return",
        data={"comment": comment, "version": nomination.version},
    )
    stored = db.session.scalar(sa.select(WorkflowEvent.comment))
    assert stored == "Line one\r\nLine\ttwo"


def test_control_characters_in_an_address_are_no_error(db, client, login_as):
    login_as(factories.make_secretariat())
    db.session.commit()
    response = client.get("/secretariat/audit?actor=a%00b&transition=%00&object_type=x%01")
    assert response.status_code == 200


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Pacific/Kiritimati", "UTC"])
@pytest.mark.parametrize("when", ["9999-12-31T23:00", "0001-01-01T00:00", "1899-12-31T12:00"])
def test_a_date_beyond_the_calendar_is_a_message_not_an_error(db, client, login_as, zone, when):
    login_as(factories.make_secretariat(timezone=zone))
    db.session.commit()
    response = client.post("/calls/new", data={**CALL_FORM, "closes_at": when})
    assert response.status_code == 200
    assert "Choose a date between" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/Los_Angeles"])
def test_a_call_stored_at_the_calendar_s_edge_does_not_break_the_pages(db, client, login_as, zone):
    call = factories.make_call(
        closes_at=datetime(9999, 12, 31, 23, 0), review_deadline=datetime(9999, 12, 31, 23, 30)
    )
    login_as(factories.make_user(timezone=zone))
    db.session.commit()
    assert client.get("/calls").status_code == 200
    assert client.get(f"/calls/{call.id}").status_code == 200


def test_an_audit_date_beyond_the_calendar_is_ignored_with_a_message(db, client, login_as):
    login_as(factories.make_secretariat(timezone="America/New_York"))
    db.session.commit()
    response = client.get("/secretariat/audit?since=9999-12-31")
    assert response.status_code == 200


# -- headers ---------------------------------------------------------------------------------


def test_signed_in_pages_and_exports_are_not_stored_by_caches(db, client, login_as):
    officer = factories.make_secretariat()
    call = factories.make_call()
    db.session.commit()
    assert "no-store" not in client.get("/calls").headers.get("Cache-Control", "")
    login_as(officer)
    for path in ("/calls", "/secretariat/", f"/secretariat/calls/{call.id}/export/scores.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_https_sites_ask_browsers_to_stay_on_https(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    monkeypatch.setitem(app.config, "RECOGNITION_HSTS_SECONDS", 0)
    assert "Strict-Transport-Security" not in client.get("/").headers


# -- health and outage -----------------------------------------------------------------------


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ready"}


@pytest.fixture
def outage(tmp_path):
    """The app with its database unreachable: a PostgreSQL address where no server listens
    (a real refused connection)."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
            "SECRET_KEY": "test-secret",
            "RECOGNITION_UPLOAD_FOLDER": str(tmp_path),
            "TESTING": False,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("fr", "Service temporairement indisponible"),
        ("ar", "الخدمة غير متاحة مؤقتًا"),
        ("en", "Temporarily unavailable"),
    ],
)
def test_a_database_outage_answers_503_in_the_reader_s_language(outage, language, title):
    client = outage.test_client()
    response = client.get("/calls", headers={"Accept-Language": language})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert f"<h1>{title}</h1>" in text(response)
    assert f'lang="{language}"' in text(response)


def test_an_outage_is_503_for_a_signed_in_user_too(outage):
    """The session names a user the database cannot load: still the plain page, not a bare
    English "Internal Server Error"."""
    client = outage.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    response = client.get("/", headers={"Accept-Language": "es"})
    assert response.status_code == 503
    assert 'lang="es"' in text(response)


def test_during_an_outage_the_process_is_healthy_but_not_ready(outage):
    client = outage.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"


def test_a_page_not_found_during_an_outage_is_still_a_page(outage):
    client = outage.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    response = client.get("/nowhere", headers={"Accept-Language": "ru"})
    assert response.status_code in (404, 503)
    assert 'lang="ru"' in text(response)


def test_nominations_keep_no_control_characters(db, client, login_as):
    """The same filter serves the city's section forms."""
    focal = factories.make_focal_point()
    nomination = factories.make_nomination(city=focal.memberships[0].city)
    login_as(focal)
    db.session.commit()
    client.post(
        f"/nominations/{nomination.id}/edit/motivation", data={"motivation": "We\x00 plan\x07"}
    )
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).answers["motivation"] == "We plan"


def test_a_session_lasts_while_used_and_ends_when_idle(app, client, login_as, monkeypatch):
    """The session cookie is signed with its time and renewed by every request: a session in
    use goes on past the lifetime, an idle one ends after it."""
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=2))
    user = factories.make_user()
    _db.session.commit()
    login_as(user)
    for _ in range(4):  # 3 s of use, a request a second
        assert client.get("/profile").status_code == 200
        time.sleep(0.8)
    time.sleep(2.5)
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_anonymous_visitor_of_a_public_page_gets_no_cookie(client, login_as):
    """A visitor who signed in to nothing and filled no form has an empty session: the
    public page sets no cookie, so any cache on the way may keep it. A signed-in session
    is renewed by every page and expires like before."""
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200
        assert response.headers.getlist("Set-Cookie") == []
    user = factories.make_user()
    _db.session.commit()
    login_as(user)
    cookie = client.get("/").headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Expires=" in cookie


def test_paging_links_ignore_arguments_that_would_make_them_absolute(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 1)
    factories.make_call(state="open")
    factories.make_call(state="open")
    db.session.commit()
    response = client.get("/calls?_external=1&_scheme=http", headers={"Host": "evil.example"})
    html = text(response)
    assert 'href="/calls?page=2"' in html
    assert "evil.example" not in html
