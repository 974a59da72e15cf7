"""Two app servers behind one address, as a load balancer has them: two gunicorn processes on
two ports, one PostgreSQL database, one object store (moto's server), one secret key. A
browser signs in on one and goes on on the other; a file uploaded through one is downloaded
through the other; a transition fired through one is seen through the other.

Real HTTP from the outside, CSRF protection on: the servers run the production settings read
from the environment. PostgreSQL only: SQLite is not shared by servers."""

from __future__ import annotations

import hashlib
import html
import http.client
import os
import re
import subprocess
import sys
from types import SimpleNamespace
from urllib.parse import urlencode

import factories
import pytest
import sqlalchemy as sa
from storage_support import (
    ROOT,
    free_port,
    multipart,
    s3_settings,
    stop,
    upload,
    wait_until_serving,
)

from recognition.extensions import db
from recognition.nominations.models import Attachment, Nomination
from recognition.workflow.registry import definition_for

pytestmark = pytest.mark.postgres_only

SECRET = "one-secret-key-for-every-app-server"


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: app servers share one database, which SQLite is not")


class Browser:
    """What matters of a browser here: one cookie jar, whichever server answers."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body=None, headers=None):
        """The response (status, headers, body read), cookies kept; redirects not followed."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = SimpleNamespace(
                status=response.status, headers=response.headers, body=response.read()
            )
        finally:
            connection.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if value and "1970" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return answer

    def get(self, port: int, path: str):
        return self.request(port, "GET", path)

    def post_form(self, port: int, path: str, fields: dict):
        body = urlencode(fields).encode()
        content_type = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request(port, "POST", path, body, content_type)

    def post_files(self, port: int, path: str, fields: dict):
        body, content_type = multipart(fields)
        return self.request(port, "POST", path, body, {"Content-Type": content_type})


def hidden(page: bytes, name: str, action: str | None = None) -> str:
    """A hidden field's value in the page (in the form posting to ``action``, if given)."""
    text = page.decode()
    if action is not None:
        text = text[text.index(f'action="{action}"') :]
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', text) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', text
    )
    assert found, f"no {name} in the page"
    return html.unescape(found.group(1))


def state_shown(page: bytes) -> str:
    """The state the nomination's page shows in its state menu."""
    found = re.search(r'<span class="badge text-bg-[a-z]+">([^<]+)</span></h2>', page.decode())
    assert found, "no state on the page"
    return html.unescape(found.group(1))


@pytest.fixture
def world(app, s3, db):
    """A focal point's complete draft (its files in the store), committed."""
    focal = factories.make_focal_point(name="Focal Point")
    city = focal.memberships[0].city
    call = factories.make_call(title="Role Model Cities 2026")
    draft = factories.make_nomination(call=call, city=city, created_by_id=focal.id)
    factories.complete_role_model_answers(draft, focal)
    db.session.commit()
    return SimpleNamespace(focal=focal, draft=draft)


@pytest.fixture
def servers(app, s3, moto_endpoint, world, tmp_path):
    """Two gunicorn processes (one worker each) on free ports, sharing the test database,
    the test bucket and the secret key; their ports."""
    uploads = tmp_path / "uploads"
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": SECRET,
        "RECOGNITION_INSTANCE_PATH": str(tmp_path / "instance"),
        "RECOGNITION_UPLOAD_FOLDER": str(uploads),
        # The hashes the test wrote use cheap parameters: no rehash at sign-in.
        "RECOGNITION_ARGON2_TIME_COST": str(app.config["RECOGNITION_ARGON2_TIME_COST"]),
        "RECOGNITION_ARGON2_MEMORY_COST": str(app.config["RECOGNITION_ARGON2_MEMORY_COST"]),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    for name, value in s3_settings(moto_endpoint, s3.bucket).items():
        env[name] = str(value)
    started = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = tmp_path / f"server-{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "--workers", "1"]
                    + ["--bind", f"127.0.0.1:{port}", "wsgi:app"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, port, log))
        for process, port, log in started:
            wait_until_serving(process, port, "/healthz", log)
        yield SimpleNamespace(a=started[0][1], b=started[1][1], uploads=uploads)
    finally:
        stop(*(process for process, _port, _log in started))


def test_two_app_servers_share_sessions_files_and_states(servers, world, s3):
    browser = Browser()
    nomination = f"/nominations/{world.draft.id}"

    # Signed in through A ...
    login = browser.get(servers.a, "/login")
    response = browser.post_form(
        servers.a,
        "/login",
        {
            "csrf_token": hidden(login.body, "csrf_token"),
            "email": world.focal.email,
            "password": factories.PASSWORD,
            "next": "",
        },
    )
    assert response.status == 302, response.body[:2000]
    # ... and so on B: the session is the signed cookie, the user is in the shared database.
    assert browser.get(servers.b, nomination).status == 200

    # A file uploaded through B ...
    data = factories.pdf_bytes("through two servers")
    edit = f"{nomination}/edit/nominator"
    page = browser.get(servers.b, edit)
    response = browser.post_files(
        servers.b,
        edit,
        {
            "csrf_token": hidden(page.body, "csrf_token"),
            "go": "stay",
            # The section's answers as the page shows them, sent again with the file.
            "nominator_type": world.draft.answers["nominator_type"],
            "nominator_name": world.draft.answers["nominator_name"],
            "other_evidence": upload(data, "Shared evidence.pdf"),
        },
    )
    assert response.status == 302, response.body[:2000]
    sha = hashlib.sha256(data).hexdigest()
    attachment = db.session.scalar(sa.select(Attachment).where(Attachment.sha256 == sha))
    assert f"evidence/{sha[:2]}/{sha}" in s3.names()
    # ... is downloaded through A, from the shared store; neither server kept it locally.
    response = browser.get(servers.a, f"{nomination}/files/{attachment.id}")
    assert (response.status, response.body) == (200, data)
    assert response.headers["Content-Disposition"] == 'attachment; filename="Shared evidence.pdf"'
    assert not any(p.is_file() for p in servers.uploads.rglob("*"))

    # A transition fired through A ...
    submit = definition_for(Nomination).transitions["submit"]
    action = f"/workflow/nomination/{world.draft.id}/submit"
    page = browser.get(servers.a, nomination)
    response = browser.post_form(
        servers.a,
        action,
        {
            "csrf_token": hidden(page.body, "csrf_token", action),
            "version": hidden(page.body, "version", action),
            "next": nomination,
        },
    )
    assert response.status == 302
    # ... is seen through B, at once.
    db.session.expire_all()
    assert db.session.get(Nomination, world.draft.id).state == submit.dest
    shown = state_shown(browser.get(servers.b, nomination).body)
    assert shown == definition_for(Nomination).states[submit.dest].title


def test_a_public_page_kept_by_one_server_is_rendered_again_after_a_write_elsewhere(servers):
    visitor = Browser()
    assert b"Kept Network" not in visitor.get(servers.b, "/partners").body
    assert visitor.get(servers.b, "/partners").headers["X-Cache"] == "hit"
    # Written by another machine (this process): the shared generation moves on ...
    factories.make_partner(name="Kept Network")
    db.session.commit()
    # ... and B renders the page again at once.
    page = visitor.get(servers.b, "/partners")
    assert page.headers["X-Cache"] is None
    assert b"Kept Network" in page.body
