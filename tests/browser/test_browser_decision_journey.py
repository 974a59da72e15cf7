"""Journey 4: the secretariat reads the dashboard and ranking and recognises the city in its
areas of strength; the city still sees its nomination under review; the secretariat announces
the call on the page that says who is told what; the city reads its outcome and downloads the
certificate; a visitor finds the city on the public pages and in the feed, and checks the
certificate's code at /verify. In English and in Arabic (right to left)."""

from __future__ import annotations

import re

import pytest
from browser_support import sign_in, sign_out, submitted_review
from factories import (
    complete_role_model_answers,
    make_call,
    make_focal_point,
    make_nomination,
    make_reviewer,
    make_secretariat,
)
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from recognition.audit import offline
from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.programmes.models import Call

WORDS = "The jury admired the flood parks of Makati."


def tr(app, language: str, message: str) -> str:
    """``message`` as the reader of ``language`` reads it."""
    with app.test_request_context(), force_locale(language):
        return gettext(message)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_decide_announce_and_publish(page: Page, app, db, csrf_on, shoot, tmp_path, language):
    officer = make_secretariat(email=f"officer-{language}@example.org", locale=language)
    call = make_call("role_model_city", state="reviewing", title="Role Model Cities 2027")
    focal = make_focal_point(email=f"city-{language}@example.org", locale=language)
    city = focal.memberships[0].city
    city.name = "Makati"
    nomination = make_nomination(call, city, state="under_review")
    complete_role_model_answers(nomination, focal)
    for n in range(3):
        submitted_review(nomination, make_reviewer(email=f"r{n}-{language}@example.org"), value=4)
    db.session.commit()
    shown = f"/nominations/{nomination.id}"

    # The secretariat decides.
    sign_in(page, officer.email)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    page.goto(f"/secretariat/calls/{call.id}/dashboard")
    expect(page.locator("svg[role=img][aria-labelledby=states-chart-title]")).to_be_visible()
    expect(page.locator("svg[role=img][aria-labelledby=fairness-chart-title]")).to_be_visible()
    shoot(page, f"01-dashboard-{language}")
    page.goto(f"/secretariat/calls/{call.id}/ranking")
    expect(page.get_by_role("link", name="Makati")).to_be_visible()
    expect(page.locator("#robustness")).to_be_visible()
    shoot(page, f"02-ranking-{language}")

    page.get_by_role("link", name="Makati").click()
    decision = page.locator("#decision")
    decision.locator("input[name=outcome][value=recognise]").check()
    # Pre-filled with every Essential scored 4 or more on average; keep 1 to 7.
    expect(decision.locator("input[name=areas]:checked")).to_have_count(10)
    for n in (8, 9, 10):
        decision.locator(f"input[name=areas][value='{n}']").uncheck()
    decision.locator("textarea[name=comment]").fill(WORDS)
    decision.locator("button[type=submit]").click()
    expect(page.locator(".state-menu .badge").first).to_have_text(tr(app, language, "Recognised"))
    shoot(page, f"03-recognised-{language}")
    sign_out(page)

    # The city: still under review, nothing of the decision.
    sign_in(page, focal.email)
    page.goto(shown)
    expect(page.locator(".state-menu .badge").first).to_have_text(tr(app, language, "Under review"))
    expect(page.locator("#outcome-heading")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(WORDS)
    expect(page.locator("a[href$='certificate.pdf']")).to_have_count(0)
    sign_out(page)

    # The secretariat closes reviewing and announces, after reading who is told what.
    sign_in(page, officer.email)
    page.goto(f"/calls/{call.id}")
    page.locator("form[action$='/close_review'] button[type=submit]").click()
    page.goto(f"/secretariat/calls/{call.id}/announcement")
    page.fill("#text_en", "Makati is a Role Model City in seven Essentials.")
    page.locator("main form button[type=submit]").click()
    page.goto(f"/calls/{call.id}")
    page.locator(f"a[href$='/workflow/call/{call.id}/announce']").click()
    # Who is told what (the other table says how robust the outcome is).
    told = page.locator("main table", has_text="1, 2, 3, 4, 5, 6, 7")
    expect(told.locator("th", has_text="Makati")).to_be_visible()
    expect(told).to_contain_text("1, 2, 3, 4, 5, 6, 7")
    shoot(page, f"04-announce-{language}")
    page.locator("main form[action$='/announce'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    # ... and keeps the decision's dossier, which checks offline against the published head.
    page.goto(shown)
    with page.expect_download() as info:
        page.locator("a[href$='dossier.pdf']").click()
    dossier = tmp_path / "dossier.pdf"
    info.value.save_as(dossier)
    _db.session.expire_all()
    head = _db.session.get(Call, call.id).record_head
    assert offline.main([str(dossier), "--head", head]) == 0
    sign_out(page)

    # The city reads its outcome and downloads its certificate.
    sign_in(page, focal.email)
    page.goto(shown)
    outcome = page.locator("section[aria-labelledby=outcome-heading]")
    expect(outcome.locator("#outcome-heading")).to_have_text(tr(app, language, "Recognised"))
    expect(outcome).to_contain_text(WORDS)
    shoot(page, f"05-outcome-{language}")
    with page.expect_download() as info:
        outcome.locator("a[href$='certificate.pdf']").click()
    pdf = tmp_path / "certificate.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    sign_out(page)

    # A visitor who reads the site in the language (chosen once, kept in a cookie): public
    # list, city page, feed, and the certificate's code checked.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "lang", "value": language, "url": page.url}])
    page.goto("/recognised")
    page.get_by_role("link", name="Makati").first.click()
    # The areas named as the programme's edition of the Essentials titles them.
    expect(page.locator("main")).to_contain_text(
        tr(app, language, "Education and training on risk reduction in schools and communities")
    )
    shoot(page, f"06-public-city-{language}")
    feed = page.request.get("/feed.atom")
    assert feed.ok and "Makati is a Role Model City" in feed.text()

    _db.session.expire_all()
    code = _db.session.get(Nomination, nomination.id).verification_code
    assert code and re.fullmatch(r"[A-Z0-9]{10}", code)
    page.goto("/verify")
    page.fill("#verify-code", f" {code[:5].lower()} - {code[5:]} ")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(tr(app, language, "Certificate verified"))
    expect(page.locator("main")).to_contain_text("Makati")
    shoot(page, f"07-verified-{language}")
