"""Journeys of issue 15, in English and in Arabic (right to left):

1. An organisation registers as a campaign partner (account and organisation in one form);
   the secretariat verifies it; the partner nominates a city to the Role Model City call; the
   city accepts, asks a referee whose letter arrives through the link without an account,
   completes the nomination and submits it.
2. The secretariat imports the register of past laureates; a partner nominates an NGO to the
   Sasakawa Award; a past Laureate from the imported register is refused; the NGO's
   recognition, once announced, names the NGO — not a city — on the public page and on the
   certificate.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import factories
import pytest
import sqlalchemy as sa
from browser_support import sign_in, sign_out
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.notifications.models import OutboxMessage
from recognition.partners.models import Partner
from recognition.timeutil import utcnow

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n% letter of support\n"


def tr(app, language: str, message: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(message)


def nominations() -> list[Nomination]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Nomination).order_by(Nomination.id)))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_partner_registers_nominates_a_city_which_accepts_and_submits(
    page: Page, app, db, csrf_on, shoot, tmp_path, language
):
    officer = factories.make_secretariat(email=f"officer-{language}@example.org", locale=language)
    focal = factories.make_focal_point(email=f"focal-{language}@makati.example", locale=language)
    city = focal.memberships[0].city
    city.name = "Makati"
    call = factories.make_call("role_model_city", title="Role Model Cities 2027")
    db.session.commit()

    # An organisation registers: its account and the organisation, in one form.
    page.goto(f"/partners/apply?lang={language}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    page.fill("#account_name", "Pat Partner")
    page.fill("#email", f"pat-{language}@alliance.example")
    page.fill("#password", "a long partner password")
    page.fill("#confirm", "a long partner password")
    page.select_option("#kind", "city_network")
    page.select_option("#country", "global")
    # The organisation writes in the reader's language first (the tab shown first).
    page.select_option("#source_language", language)
    page.fill(f"#name_{language}", "Resilience Alliance")
    page.fill(f"#offer_{language}", "Peer learning between cities.")
    shoot(page, f"01-apply-{language}")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    partner = db.session.scalar(sa.select(Partner).order_by(Partner.id.desc()).limit(1))
    assert partner.state == "applied"
    sign_out(page)

    # The secretariat verifies it from the partner's page.
    sign_in(page, officer.email)
    page.goto(f"/partners/{partner.id}")
    page.locator(
        f"form[action$='/workflow/partner/{partner.id}/verify'] button[type=submit]"
    ).click()
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)

    # The partner nominates Makati.
    user = db.session.scalar(
        sa.select(factories.User).where(factories.User.email == f"pat-{language}@alliance.example")
    )
    user.email_confirmed_at = utcnow()
    user.locale = language
    db.session.commit()
    sign_in(page, user.email, "a long partner password")
    page.goto(f"/calls/{call.id}")
    page.locator(f"a[href$='/calls/{call.id}/nominate']").click()
    page.check(f"input[name=nominator][value='partner:{partner.id}']")
    page.check("input[name=kind][value=city]")
    page.select_option("#city", str(city.id))
    shoot(page, f"02-nominate-{language}")
    page.locator("main form button[type=submit]").click()
    [nomination] = nominations()
    assert nomination.state == "awaiting_consent"
    sign_out(page)

    # The city accepts, asks a referee, completes and submits.
    sign_in(page, focal.email)
    page.goto(f"/nominations/{nomination.id}")
    expect(page.locator("main")).to_contain_text("Resilience Alliance")
    page.locator(
        f"form[action$='/workflow/nomination/{nomination.id}/consent'] button[type=submit]"
    ).click()
    expect(page.locator(".state-menu .badge").first).to_have_text(tr(app, language, "Draft"))
    panel = page.locator("#letters-endorsements")
    panel.locator("#endorsements-name").fill("Rania Referee")
    panel.locator("#endorsements-email").fill("rania@referees.example")
    panel.locator("#endorsements-language").select_option(language)
    panel.locator("form[action$='/letters/endorsements'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)
    page.context.clear_cookies()

    # The referee, without an account, through the link of the e-mail.
    db.session.expire_all()
    message = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "letter_request")
    ).one()
    page.goto(urlsplit(message.link).path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(PDF)
    page.set_input_files("#letter_file", str(letter))
    shoot(page, f"03-referee-{language}")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(
        tr(app, language, "Thank you: your letter is sent.")
    )

    # Complete (the form's pages are tested elsewhere) and submit as the city.
    nomination = nominations()[0]
    factories.complete_role_model_answers(nomination, focal)
    db.session.commit()
    sign_in(page, focal.email)
    page.goto(f"/nominations/{nomination.id}")
    page.locator(
        f"form[action$='/workflow/nomination/{nomination.id}/submit'] button[type=submit]"
    ).click()
    expect(page.locator(".state-menu .badge").first).to_have_text(tr(app, language, "Submitted"))
    shoot(page, f"04-submitted-{language}")
    assert nominations()[0].state == "submitted"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_ngo_is_nominated_a_past_laureate_is_caught_and_the_ngo_is_named_in_public(
    page: Page, app, db, csrf_on, shoot, tmp_path, language, base_url
):
    officer = factories.make_secretariat(email=f"officer2-{language}@example.org", locale=language)
    member = factories.make_user(email=f"member-{language}@alliance.example", locale=language)
    partner = factories.make_partner(name="Resilience Alliance", members=[member])
    award = factories.make_call("sasakawa_award", title="Sasakawa Award 2027")
    db.session.commit()

    # The secretariat imports the historic laureates.
    sign_in(page, officer.email)
    page.goto("/secretariat/register/sasakawa_award/import")
    register = tmp_path / "laureates.csv"
    register.write_text("year,name,country,level\n2011,Kathmandu Valley Red Cross,NP,laureate\n")
    page.set_input_files("#file", str(register))
    page.locator("main form button[type=submit]").click()
    page.locator("form[action$='/import/confirm'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)

    # The partner nominates an NGO, then tries a past Laureate.
    sign_in(page, member.email)
    for name, country in (("Barrio Unido", "PE"), ("Kathmandu Valley Red Cross", "NP")):
        page.goto(f"/calls/{award.id}/nominate")
        page.check(f"input[name=nominator][value='partner:{partner.id}']")
        page.check("input[name=kind][value=organisation]")
        page.fill("#name", name)
        page.select_option("#organisation_type", "ngo")
        page.select_option("#country", country)
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-warning")).to_contain_text("Kathmandu Valley Red Cross (2011)")
    shoot(page, f"05-past-laureate-{language}")
    [nomination] = nominations()
    assert str(nomination.nominee_name()) == "Barrio Unido" and nomination.city_id is None
    sign_out(page)

    # Announced (the review and decision journeys are tested elsewhere): the NGO is named.
    decider = officer.id
    award.state = "announced"
    award.announced_at = utcnow()
    award.announcement = {"en": "Barrio Unido receives a Certificate of Merit."}
    nomination.state = "announced"
    nomination.award_level = "merit"
    nomination.submitted_at = nomination.decided_at = nomination.announced_at = utcnow()
    nomination.decided_by_id = decider
    nomination.verification_code = "NGOAB23456"
    db.session.commit()
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "lang", "value": language, "url": base_url}])
    page.goto("/recognised")
    page.get_by_role("link", name="Barrio Unido").click()
    expect(page.locator("h1")).to_contain_text("Barrio Unido")
    expect(page.locator("main")).not_to_contain_text("City 1")
    shoot(page, f"06-public-{language}")
    pdf = page.request.get(f"/nominations/{nomination.id}/certificate.pdf")
    assert pdf.ok
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Barrio Unido" in re.sub(r"\s+", " ", text)
