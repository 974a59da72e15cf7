"""Registration asks for the time zone (UTC without JavaScript, the browser's with it), and
the new account's dates are shown in it."""

from __future__ import annotations

import re
from pathlib import Path

import factories
import pytest
import sqlalchemy as sa
from accounts_support import html_of

from recognition.accounts.models import User
from recognition.extensions import db

GOOD = {
    "name": "Aigerim Nurlanovna",
    "email": "aigerim@almaty.example",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "locale": "en",
    "city_name": "Almaty",
    "country": "KZ",
}
APP_JS = Path(__file__).resolve().parents[2] / "recognition" / "static" / "app.js"


def _user() -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == GOOD["email"]))


def _timezone_select(html: str) -> str:
    match = re.search(r'<select[^>]*name="timezone"[^>]*>.*?</select>', html, re.S)
    assert match, "no time zone select on the page"
    return match.group(0)


def test_the_form_asks_for_the_time_zone_starting_on_utc(client):
    select = _timezone_select(html_of(client.get("/register")))
    assert '<option selected value="UTC">UTC</option>' in select
    assert '<option value="Asia/Almaty">Asia/Almaty</option>' in select
    assert "data-browser-timezone" in select  # app.js may pick the browser's zone


def test_the_chosen_time_zone_is_stored(app, client):
    response = client.post("/register", data={**GOOD, "timezone": "Asia/Almaty"})
    assert response.status_code == 302
    assert _user().timezone == "Asia/Almaty"


def test_without_a_time_zone_the_account_is_in_utc(app, client):
    assert client.post("/register", data=GOOD).status_code == 302
    assert _user().timezone == "UTC"


def test_an_unknown_time_zone_is_refused_beside_the_field(app, client):
    response = client.post("/register", data={**GOOD, "timezone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    html = html_of(response)
    assert 'id="timezone-error"' in html
    assert _user() is None


def test_a_refused_form_keeps_the_chosen_zone_for_good(app, client):
    """After an error the page shows what was chosen: the script must not change it."""
    response = client.post("/register", data={**GOOD, "timezone": "Asia/Almaty", "confirm": "x"})
    select = _timezone_select(html_of(response))
    assert '<option selected value="Asia/Almaty">' in select
    assert "data-browser-timezone" not in select


def test_the_new_accounts_deadlines_are_in_its_time_zone(app, client):
    call = factories.make_call(state="open")
    call.closes_at = call.closes_at.replace(hour=12, minute=0, second=0, microsecond=0)
    db.session.commit()
    client.post("/register", data={**GOOD, "timezone": "Asia/Almaty"})
    html = html_of(client.get(f"/calls/{call.id}"))
    # 12:00 UTC is 17:00 in Almaty (UTC+5), and the page says which zone it means.
    assert re.search(r"5:00\s*PM \(GMT\+05:00\)", html)


def test_the_script_picks_the_browsers_zone_for_the_marked_select():
    script = APP_JS.read_text("utf-8")
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in script
    assert "select[data-browser-timezone]" in script


@pytest.mark.browser
def test_the_browser_s_time_zone_is_chosen_when_the_page_opens(app, client, tmp_path):
    """Chromium in Tokyo opens the registration page: the select shows Asia/Tokyo."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("chromium not installed")
    origin = "http://registration.test"
    # Answered ahead by the test client: Playwright's route handlers run outside the app.
    pages = {}
    register = client.get("/register")
    pages["/register"] = (register.headers["Content-Type"], register.get_data())
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', register.get_data(as_text=True)):
        with client.get(path) as static:
            pages[path] = (static.headers["Content-Type"], static.get_data())

    def serve(route):
        found = pages.get(route.request.url[len(origin) :].split("?")[0])
        if found is None:
            route.fulfill(status=404, body=b"")
        else:
            route.fulfill(status=200, content_type=found[0], body=found[1])

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(timezone_id="Asia/Tokyo")
            page = context.new_page()
            page.route(f"{origin}/**", serve)
            page.goto(f"{origin}/register")
            page.wait_for_function(
                "document.querySelector('select[name=timezone]').value !== 'UTC'", timeout=5000
            )
            assert page.eval_on_selector("select[name=timezone]", "s => s.value") == "Asia/Tokyo"
        finally:
            browser.close()
