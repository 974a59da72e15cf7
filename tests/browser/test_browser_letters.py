"""Journey: a city's focal point asks a referee for a letter on the nomination's page; the
referee opens the link from the e-mail, without an account, in English or in Arabic (right to
left), and uploads a PDF letter; the city then sees that it was received."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import factories
import pytest
import sqlalchemy as sa
from browser_support import sign_in, sign_out
from playwright.sync_api import Page, expect

from recognition.extensions import db
from recognition.letters.models import Letter
from recognition.notifications.models import OutboxMessage

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n% letter of support\n"


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_a_referee_uploads_a_letter_through_the_link_without_an_account(
    page: Page, city_draft, csrf_on, shoot, tmp_path, lang, direction
):
    nomination, focal = city_draft

    # The city asks a referee on the nomination's page.
    sign_in(page, focal.email)
    page.goto(f"/nominations/{nomination.id}")
    panel = page.locator("#letters-endorsements")
    panel.locator("#endorsements-name").fill("Rania Referee")
    panel.locator("#endorsements-organisation").fill("Regional Resilience Network")
    panel.locator("#endorsements-email").fill("rania@partners.example")
    panel.locator("#endorsements-language").select_option(lang)
    shoot(page, f"01-ask-{lang}")
    panel.locator("form[action$='/letters/endorsements'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#letters-endorsements")).to_contain_text("Rania Referee")
    sign_out(page)
    page.context.clear_cookies()

    # The referee opens the link of the e-mail queued for them: no account, their language.
    db.session.expire_all()
    message = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "letter_request")
    ).one()
    assert (message.to_email, message.locale) == ("rania@partners.example", lang)
    link = urlsplit(message.link).path
    page.goto(link)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", direction)
    expect(page.locator("main")).to_contain_text("Makati")
    expect(page.locator("main")).to_contain_text("Role Model Cities 2027")
    letter_file = tmp_path / "letter.pdf"
    letter_file.write_bytes(PDF)
    page.set_input_files("#letter_file", str(letter_file))
    shoot(page, f"02-referee-{lang}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/letters/sent.*"))
    expect(page.locator("html")).to_have_attribute("dir", direction)
    shoot(page, f"03-sent-{lang}")

    # The link works once.
    response = page.goto(link)
    assert response is not None and response.status == 410

    # The city sees that the letter was received.
    sign_in(page, focal.email)
    page.goto(f"/nominations/{nomination.id}")
    db.session.expire_all()
    letter = db.session.scalars(sa.select(Letter)).one()
    assert (letter.state, letter.mime, letter.size) == ("received", "application/pdf", len(PDF))
    entry = page.locator(f"#letter-{letter.id}")
    expect(entry).to_contain_text("Received on")
    expect(entry.locator(".badge")).to_have_text("Received")
    shoot(page, f"04-received-{lang}")


@pytest.fixture
def city_draft(db):
    """A verified city (Makati) whose English-speaking focal point has a draft to an open
    Role Model City call (committed)."""
    focal = factories.make_focal_point(email="focal@makati.example", name="Grace Santos")
    city = focal.memberships[0].city
    city.name = "Makati"
    call = factories.make_call("role_model_city", title="Role Model Cities 2027")
    nomination = factories.make_nomination(call, city, created_by_id=focal.id)
    db.session.commit()
    return nomination, focal
