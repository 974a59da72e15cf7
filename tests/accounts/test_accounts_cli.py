"""``flask recognition init`` and ``flask recognition demo``: each idempotent; the demo
prints logins that work."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from recognition import create_app
from recognition.accounts.models import City, Membership, User, UserRole
from recognition.extensions import db
from recognition.letters.models import Letter
from recognition.nominations.models import Nomination
from recognition.notifications.models import OutboxMessage
from recognition.partners.models import Partner
from recognition.programmes.models import Call
from recognition.review.models import Assignment, Juror, Post
from recognition.timeutil import utcnow
from recognition.workflow.history import WorkflowEvent

COUNTED = (User, UserRole, City, Membership, Call, WorkflowEvent, OutboxMessage)
HEADER = re.compile(r"Demo logins \(password for all: (\S+)\):")
LINE = re.compile(r"^\s+(.+?)\s+(\S+@\S+)$")


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in COUNTED
    }


def run_demo(runner):
    result = runner.invoke(args=["recognition", "demo"])
    assert result.exit_code == 0, result.output
    return result


def logins(output: str) -> tuple[str, list[tuple[str, str]]]:
    password = HEADER.search(output).group(1)
    accounts = [m.groups() for m in map(LINE.match, output.splitlines()) if m]
    return password, accounts


@pytest.fixture
def demo(runner):
    """Load the demo once; return its printed password and (role, e-mail) lines."""
    return logins(run_demo(runner).output)


# -- init --------------------------------------------------------------------------------


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    """An app on an empty SQLite file, for watching ``init`` build the schema."""
    monkeypatch.setenv("RECOGNITION_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "fresh.db"),
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def table_names(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_init_creates_the_schema_on_an_empty_database(fresh_app):
    result = fresh_app.test_cli_runner().invoke(args=["recognition", "init"])
    assert result.exit_code == 0, result.output
    assert "Database schema is up to date." in result.output
    assert {"users", "cities", "memberships", "calls", "outbox"} <= table_names(fresh_app)


def test_init_twice_keeps_the_same_schema(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["recognition", "init"])
    first = table_names(fresh_app)
    result = runner.invoke(args=["recognition", "init"])
    assert result.exit_code == 0, result.output
    assert table_names(fresh_app) == first


def test_init_keeps_existing_data(app, runner):
    """Run on the test database (SQLite or PostgreSQL) that holds data already."""
    run_demo(runner)
    before = counts()
    result = runner.invoke(args=["recognition", "init"])
    assert result.exit_code == 0, result.output
    assert counts() == before


# -- demo --------------------------------------------------------------------------------


def test_demo_twice_gives_the_same_counts(app, runner):
    run_demo(runner)
    first = counts()
    run_demo(runner)
    assert counts() == first
    assert first["users"] == 14  # 1 officer, 4 reviewers, 6 focal points, 3 partner members


def test_demo_twice_prints_the_same_logins(app, runner):
    assert run_demo(runner).output == run_demo(runner).output


def test_demo_has_one_secretariat_officer(demo):
    officers = db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == "secretariat")
    ).all()
    assert [u.email for u in officers] == ["secretariat@example.org"]


def test_demo_has_four_reviewers(demo):
    reviewers = db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == "reviewer")
    ).all()
    assert len(reviewers) == 4


def test_demo_has_six_verified_cities_in_six_countries(demo):
    cities = db.session.scalars(sa.select(City)).all()
    assert len(cities) == 6
    assert len({c.country for c in cities}) == 6
    assert {c.state for c in cities} == {"verified"}


def test_demo_focal_points_prefer_the_six_languages(demo):
    locales = db.session.scalars(
        sa.select(User.locale).join(Membership, Membership.user_id == User.id)
    ).all()
    assert sorted(locales) == ["ar", "en", "es", "fr", "ru", "zh"]


def test_demo_opens_a_call_per_programme(app, demo):
    calls = db.session.scalars(sa.select(Call).where(Call.state == "open")).all()
    assert sorted(c.programme_id for c in calls) == sorted(app.extensions["programmes"])


def test_demo_prints_every_account(demo):
    _password, accounts = demo
    emails = [email for _role, email in accounts]
    assert len(emails) == len(set(emails)) == 14
    stored = set(db.session.scalars(sa.select(User.email)))
    assert set(emails) == stored


def test_every_printed_demo_login_signs_in(app, client, demo):
    password, accounts = demo
    for _role, email in accounts:
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        client.post("/logout")


def test_demo_does_not_override_a_changed_password(app, runner, client):
    """Reloading the demo leaves accounts as their users left them."""
    from recognition.accounts.operations import set_password, user_by_email

    password, _accounts = logins(run_demo(runner).output)
    set_password(user_by_email("reviewer1@example.org"), "changed by the reviewer")
    db.session.commit()
    run_demo(runner)
    response = client.post(
        "/login", data={"email": "reviewer1@example.org", "password": "changed by the reviewer"}
    )
    assert response.status_code == 302


def test_demo_has_two_partners_a_city_nominated_by_one_and_a_referee_s_letter(demo):
    assert sorted(p.state for p in db.session.scalars(sa.select(Partner))) == [
        "applied",
        "verified",
    ]
    [nomination] = db.session.scalars(
        sa.select(Nomination).where(Nomination.partner_id.is_not(None))
    ).all()
    assert (nomination.city.name, nomination.partner.state, nomination.state) == (
        "Dakar",
        "verified",
        "draft",
    )
    assert nomination.consented_at is not None
    [letter] = db.session.scalars(sa.select(Letter)).all()
    assert (letter.nomination_id, letter.state) == (nomination.id, "received")


def test_demo_has_last_cycles_sasakawa_call_in_its_second_round(demo):
    call = db.session.scalar(sa.select(Call).where(Call.cycle == "2026"))
    states = sorted(
        n.state
        for n in db.session.scalars(sa.select(Nomination).where(Nomination.call_id == call.id))
    )
    assert states.count("longlisted") == 10 and states.count("under_review") == 2
    rounds = {a.round for a in db.session.scalars(sa.select(Assignment))}
    assert rounds == {"review", "longlist"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Juror)) == 2


def test_demo_has_a_resilience_hub_ending_within_ninety_days(demo):
    [hub] = db.session.scalars(
        sa.select(Nomination).join(Call).where(Call.programme_id == "resilience_hub")
    ).all()
    assert hub.state == "expiring" and hub.city.name == "Makati"
    assert 0 < (hub.valid_until - utcnow().date()).days <= 90
    keys = db.session.scalars(
        sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.template == "expiry_reminder")
    ).all()
    assert keys and all(key.startswith(f"expiry:{hub.id}:") for key in keys)
