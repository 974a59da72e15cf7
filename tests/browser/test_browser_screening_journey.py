"""Journey 2: the secretariat screens one nomination and returns another for revision; that
city revises and resubmits, and the secretariat sees what changed."""

from __future__ import annotations

from browser_support import sign_in, sign_out
from factories import (
    complete_role_model_answers,
    make_call,
    make_focal_point,
    make_nomination,
    make_secretariat,
)
from playwright.sync_api import Page, expect

from recognition.nominations.operations import snapshot


def test_secretariat_screens_and_city_revises(page: Page, db, csrf_on, shoot):
    officer = make_secretariat(email="officer@example.org")
    call = make_call("role_model_city")
    focal_a = make_focal_point(email="a@example.org")
    focal_b = make_focal_point(email="b@example.org")
    first = make_nomination(call, focal_a.memberships[0].city, state="submitted")
    second = make_nomination(call, focal_b.memberships[0].city, state="submitted")
    for nomination, focal in ((first, focal_a), (second, focal_b)):
        complete_role_model_answers(nomination, focal)
        snapshot(nomination)
    db.session.commit()

    sign_in(page, officer.email)
    page.goto("/secretariat/worklists/nomination/awaiting_screening")
    shoot(page, "01-screening-queue")
    page.get_by_role("link", name=first.city.name).click()
    page.locator("form[action$='/accept'] button[type=submit]").click()
    expect(page.locator(".state-menu .badge").first).to_contain_text("Under review")

    page.goto(f"/nominations/{second.id}")
    returning = page.locator("form[action$='/return']")
    returning.locator("textarea").fill("Please add figures on the drainage budget.")
    returning.locator("button[type=submit]").click()
    expect(page.locator(".state-menu .badge").first).to_contain_text("Returned")
    shoot(page, "02-returned")
    sign_out(page)

    sign_in(page, focal_b.email)
    page.goto(f"/nominations/{second.id}")
    expect(page.get_by_role("status").get_by_text("Please add figures")).to_be_visible()
    page.goto(f"/nominations/{second.id}/edit/motivation")
    page.fill("#sustained_results", "Drainage budget doubled since 2019; flood losses halved.")
    page.locator("button[name=go][value=stay]").click()
    page.goto(f"/nominations/{second.id}")
    page.locator("form[action$='/resubmit'] button[type=submit]").click()
    expect(page.locator(".state-menu .badge").first).to_contain_text("Submitted")
    shoot(page, "03-resubmitted")
    sign_out(page)

    sign_in(page, officer.email)
    page.goto(f"/nominations/{second.id}/changes")
    expect(page.get_by_text("Drainage budget doubled since 2019")).to_be_visible()
    shoot(page, "04-changes")
