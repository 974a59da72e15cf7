"""The secretariat invites a reviewer by hand: from the nomination's page to the picker, a
reader of the nomination's language chosen (one with a conflict cannot be), invited, and
listed back on the nomination's page; the reviewer finds the invitation in My reviews."""

from __future__ import annotations

from browser_support import sign_in, sign_out
from factories import make_call, make_nomination, make_reviewer, make_secretariat
from playwright.sync_api import Page, expect


def test_secretariat_invites_a_reviewer_from_the_picker(page: Page, db, csrf_on, shoot):
    officer = make_secretariat(email="officer@example.org")
    call = make_call("role_model_city", state="reviewing")
    nomination = make_nomination(call, state="under_review")
    reader = make_reviewer(
        email="aiko@example.org", name="Aiko Tanaka", country="JP", languages=["en"]
    )
    conflicted = make_reviewer(name="Jean Dupont", country=nomination.country or "FR")
    db.session.commit()

    sign_in(page, officer.email)
    page.goto(f"/nominations/{nomination.id}")
    page.get_by_role("link", name="Invite a reviewer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invite a reviewer")
    expect(page.locator(f"#reviewer-{conflicted.id}")).to_be_disabled()
    page.get_by_label("Aiko Tanaka").check()
    shoot(page, "01-picker")
    page.get_by_role("button", name="Invite").click()
    expect(
        page.get_by_role("status").get_by_text("Aiko Tanaka is invited to review.")
    ).to_be_visible()
    reviews = page.locator("#reviews-heading").locator("xpath=..")
    expect(reviews.get_by_role("link", name="Aiko Tanaka")).to_be_visible()
    sign_out(page)

    sign_in(page, reader.email)
    page.goto("/reviews")
    expect(page.get_by_role("main")).to_contain_text(nomination.city.name)
