"""Journey 4: the secretariat reads the dashboard and ranking, recognises the city in its
areas of strength and announces the call; a visitor sees the city on the public page and in
the feed, and downloads the certificate."""

from __future__ import annotations

from browser_support import sign_in, sign_out, submitted_review
from factories import (
    complete_role_model_answers,
    make_call,
    make_focal_point,
    make_nomination,
    make_reviewer,
    make_secretariat,
)
from playwright.sync_api import Page, expect


def test_decide_announce_and_publish(page: Page, db, csrf_on, shoot, tmp_path):
    officer = make_secretariat(email="officer@example.org")
    call = make_call("role_model_city", state="reviewing", title="Role Model Cities 2027")
    focal = make_focal_point(email="city@example.org")
    city = focal.memberships[0].city
    city.name = "Makati"
    nomination = make_nomination(call, city, state="under_review")
    complete_role_model_answers(nomination, focal)
    for n in range(3):
        submitted_review(nomination, make_reviewer(email=f"r{n}@example.org"), value=4)
    db.session.commit()

    sign_in(page, officer.email)
    page.goto(f"/secretariat/calls/{call.id}/dashboard")
    expect(page.locator("svg[role=img]")).to_be_visible()
    shoot(page, "01-dashboard")
    page.goto(f"/secretariat/calls/{call.id}/ranking")
    expect(page.get_by_role("link", name="Makati")).to_be_visible()
    shoot(page, "02-ranking")

    page.get_by_role("link", name="Makati").click()
    decision = page.locator("#decision")
    decision.locator("input[name=outcome][value=recognise]").check()
    # Pre-filled with every Essential scored 4 or more on average; keep 1 to 7.
    expect(decision.locator("input[name=areas]:checked")).to_have_count(10)
    for n in (8, 9, 10):
        decision.locator(f"input[name=areas][value='{n}']").uncheck()
    decision.locator("button[type=submit]").click()
    expect(page.locator(".state-menu .badge").first).to_contain_text("Recognised")
    shoot(page, "03-recognised")

    page.goto(f"/calls/{call.id}")
    page.locator("form[action$='/close_review'] button[type=submit]").click()
    page.goto(f"/secretariat/calls/{call.id}/announcement")
    page.fill("#text_en", "Makati is a Role Model City in seven Essentials.")
    page.locator("main form button[type=submit]").click()
    page.goto(f"/calls/{call.id}")
    announce = page.locator("form[action$='/announce']")
    announce.locator("input[type=checkbox]").check()
    announce.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)

    # A visitor: public list, city page, feed, certificate.
    page.goto("/recognised")
    page.get_by_role("link", name="Makati").click()
    expect(page.locator("main")).to_contain_text("Essential 7")
    shoot(page, "04-public-city")
    feed = page.request.get("/feed.atom")
    assert feed.ok and "Makati is a Role Model City" in feed.text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Certificate (PDF)").click()
    pdf = tmp_path / "certificate.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
