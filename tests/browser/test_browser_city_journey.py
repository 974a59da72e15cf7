"""Journey 1: a French focal point registers, is verified, writes a Role Model City
nomination over two visits, uploads a PDF, is told what is missing, fixes it and submits."""

from __future__ import annotations

import re

import factories
from factories import make_call, make_secretariat
from playwright.sync_api import Page, expect

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def sign_in(page: Page, server: str, email: str, password: str = factories.PASSWORD) -> None:
    page.goto(f"{server}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name=re.compile("Sign in|Se connecter|Connexion")).click()


def sign_out(page: Page) -> None:
    page.locator("form[action='/logout'] button").click()


def test_focal_point_registers_writes_and_submits(
    page: Page, live_server, db, csrf_on, shoot, tmp_path
):
    officer = make_secretariat(email="officer@example.org")
    call = make_call("role_model_city", title="Role Model Cities 2027")
    db.session.commit()
    server = live_server

    # Register in French.
    page.goto(f"{server}/register?lang=fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.fill("#name", "Awa Diop")
    page.fill("#email", "awa@example.org")
    page.fill("#password", "a long enough password")
    page.fill("#confirm", "a long enough password")
    page.select_option("#locale", "fr")
    page.fill("#city_name", "Dakar")
    page.select_option("#country", "SN")
    shoot(page, "01-register")
    page.locator("form[action='/register'] button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Dakar")
    shoot(page, "02-city-pending")
    sign_out(page)

    # The secretariat verifies the city.
    sign_in(page, server, officer.email)
    page.goto(f"{server}/secretariat/worklists/city/awaiting_verification")
    page.get_by_role("link", name="Dakar").click()
    page.locator("form[action$='/verify'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)

    # First visit: start the nomination, fill the profile, save a draft.
    sign_in(page, server, "awa@example.org", "a long enough password")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(f"{server}/calls/{call.id}")
    page.locator(f"a[href='/calls/{call.id}/nominate']").click()
    page.select_option("#language", "fr")
    page.locator("main form button[type=submit]").click()
    page.fill("#population", "1400000")
    page.locator("input[name=hazards][value=flood]").check()
    page.locator("button[name=go][value=stay]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    shoot(page, "03-profile-saved")
    sign_out(page)

    # Second visit: the draft is there; write the rest, leaving one letter out.
    sign_in(page, server, "awa@example.org", "a long enough password")
    page.goto(f"{server}/nominations")
    page.get_by_role("link", name="Role Model Cities 2027").click()
    nomination_url = page.url
    page.goto(nomination_url + "/edit/profile")
    expect(page.locator("#population")).to_have_value("1400000")
    page.goto(nomination_url + "/edit/motivation")
    for field in ("motivation", "innovation", "sustained_results", "sharing"):
        page.fill(f"#{field}", f"Dakar {field}: notre expérience.")
    page.locator("button[name=go][value=next]").click()
    for n in range(1, 11):
        page.locator(f"input[name='essentials__{n}__score'][value='4']").check()
        page.fill(f"#essentials__{n}__narrative", f"Essentiel {n} : progrès mesurés.")
    page.locator("button[name=go][value=next]").click()
    page.locator("input[name=nominator_type][value=self]").check()
    letter = tmp_path / "lettre.pdf"
    letter.write_bytes(PDF)
    page.set_input_files("#motivation_letter", str(letter))
    page.locator("button[name=go][value=stay]").click()
    expect(page.get_by_role("link", name="lettre.pdf")).to_be_visible()
    shoot(page, "04-letters")

    # Submitting is refused: the recommendation letter is missing.
    page.goto(nomination_url)
    expect(page.locator("#problems")).to_be_visible()
    expect(page.locator("#problems")).to_contain_text("Lettre de recommandation")
    shoot(page, "05-missing")

    # Fix it and submit.
    page.goto(nomination_url + "/edit/nominator")
    page.set_input_files("#recommendation_letter", str(letter))
    page.locator("button[name=go][value=stay]").click()
    page.goto(nomination_url)
    page.locator("form[action$='/submit'] button[type=submit]").click()
    expect(page.locator(".state-menu .badge")).to_be_visible()
    shoot(page, "06-submitted")
    from recognition.nominations.models import Nomination

    db.session.expire_all()
    nomination = db.session.query(Nomination).one()
    assert nomination.state == "submitted"
    assert nomination.language == "fr"
