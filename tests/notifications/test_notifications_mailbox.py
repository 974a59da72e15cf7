"""The demo's local mailbox: with RECOGNITION_DEMO_MAILBOX on and no SMTP host (`make run`),
every queued message is readable at /mailbox without signing in, so a newcomer gets the
confirmation e-mail; off, or with a mail server, the page does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import factories
import pytest
import sqlalchemy as sa

from recognition import config
from recognition.extensions import db
from recognition.notifications.operations import queue

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_mailbox(app, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_DEMO_MAILBOX", True)
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_HOST", "")


def _note(recipient, subject: str, link: str = ""):
    return queue(
        recipient,
        "transition",
        subject,
        link=link,
        opening=f"{subject}.",
        comment=None,
        show_comment=True,
    )


def test_the_mailbox_is_off_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("RECOGNITION_DEMO_MAILBOX", raising=False)
    assert config.load(ROOT, str(tmp_path))["RECOGNITION_DEMO_MAILBOX"] is False
    monkeypatch.setenv("RECOGNITION_DEMO_MAILBOX", "1")
    assert config.load(ROOT, str(tmp_path))["RECOGNITION_DEMO_MAILBOX"] is True


@pytest.mark.parametrize("signed_in", [False, True])
def test_off_the_mailbox_is_not_found(app, client, login_as, monkeypatch, signed_in):
    monkeypatch.setitem(app.config, "RECOGNITION_DEMO_MAILBOX", False)
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_HOST", "")
    user = factories.make_user()
    _note(user, "A secret link")
    db.session.commit()
    if signed_in:
        login_as(factories.make_secretariat())
        db.session.commit()
    response = client.get("/mailbox")
    assert response.status_code == 404
    assert "A secret link" not in response.get_data(as_text=True)


def test_with_a_mail_server_the_mailbox_is_not_found_even_when_asked_for(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_DEMO_MAILBOX", True)
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_HOST", "smtp.example.org")
    assert client.get("/mailbox").status_code == 404


def test_a_newcomer_reads_the_confirmation_e_mail_without_signing_in(app, client, demo_mailbox):
    client.post(
        "/register",
        data={
            "name": "Nadia Haddad",
            "email": "nadia@amman.example",
            "password": "a long enough password",
            "confirm": "a long enough password",
            "locale": "en",
            "city_name": "Amman",
            "country": "JO",
        },
    )
    client.post("/logout")
    response = client.get("/mailbox?to=Nadia@Amman.example")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "nadia@amman.example" in html
    link = re.search(r'href="(http://[^"]+/confirm[^"]*)"', html)
    assert link, "the confirmation link is not on the page"
    assert link.group(1) in html  # also in the message's text, under "Read the message"
    assert client.get(link.group(1).split("5000", 1)[-1]).status_code == 200


def test_the_mailbox_lists_every_message_newest_first_with_its_text(app, client, demo_mailbox):
    ana, bob = factories.make_user(), factories.make_user()
    _note(ana, "Older for Ana", link="http://127.0.0.1:5000/calls")
    _note(bob, "Newer for Bob")
    db.session.commit()
    html = client.get("/mailbox").get_data(as_text=True)
    assert html.index("Newer for Bob") < html.index("Older for Ana")
    assert "Older for Ana." in html  # the body
    assert 'href="http://127.0.0.1:5000/calls"' in html
    assert "(UTC)" in html  # the time names its zone


def test_the_mailbox_can_show_one_address(app, client, demo_mailbox):
    ana, bob = factories.make_user(), factories.make_user()
    _note(ana, "For Ana")
    _note(bob, "For Bob")
    db.session.commit()
    html = client.get(f"/mailbox?to={ana.email}").get_data(as_text=True)
    assert "For Ana" in html and "For Bob" not in html


@pytest.mark.parametrize("on", [True, False])
def test_the_sign_in_page_links_the_mailbox_only_when_it_is_open(app, client, monkeypatch, on):
    monkeypatch.setitem(app.config, "RECOGNITION_DEMO_MAILBOX", on)
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_HOST", "")
    html = client.get("/login").get_data(as_text=True)
    assert ('href="/mailbox"' in html) is on


def test_the_mailbox_costs_the_same_queries_whatever_its_size(app, client, demo_mailbox):
    user = factories.make_user()

    def add(n):
        for i in range(n):
            _note(user, f"Message {i}")
        db.session.commit()

    def queries() -> int:
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/mailbox").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    add(2)
    few = queries()
    add(30)
    assert queries() == few


def test_make_run_opens_the_demo_mailbox():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    run = makefile[makefile.index("\nrun:") :]
    run = run[: run.index("\n\n")]
    assert re.search(r"RECOGNITION_DEMO_MAILBOX=1 \$\(FLASK\) run\b", run)


def test_the_inbox_names_the_time_zone(app, login_as):
    user = factories.make_user()
    user.timezone = "Asia/Tokyo"
    _note(user, "Your city is verified")
    db.session.commit()
    html = login_as(user).get("/notifications").get_data(as_text=True)
    assert "(GMT+09:00)" in html
