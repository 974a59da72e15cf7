"""Journeys around the API: a city focal point makes a personal access token on the profile
and uses it; the documentation page draws the API's description (Swagger UI, vendored, under
the site's Content-Security-Policy); the secretariat registers a webhook and reads its
secret once — with form tokens on, as in production."""

from __future__ import annotations

from browser_support import sign_in
from factories import PASSWORD, make_focal_point, make_secretariat
from playwright.sync_api import Page, expect


def _watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_a_focal_point_makes_a_token_and_reads_the_api_with_it(page: Page, db, csrf_on, shoot):
    focal = make_focal_point(email="focal@dakar.example", name="Aïssatou Diop")
    db.session.commit()
    problems = _watch(page)
    sign_in(page, focal.email)
    page.goto("/profile")
    page.get_by_role("link", name="Your access tokens").click()
    page.get_by_label("Name").fill("Office dashboard")
    page.get_by_label("Read only").check()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Make the token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("rcg_")
    expect(page.get_by_role("table")).to_contain_text("Office dashboard")
    shoot(page, "01-token-made")
    me = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.ok and me.json()["name"] == "Aïssatou Diop"
    page.goto("/profile/tokens")
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    refused = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401
    assert problems == []


def test_the_documentation_page_draws_every_operation(page: Page, db, shoot):
    problems = _watch(page)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .information-container")).to_contain_text("Recognition API")
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/recognised").first
    ).to_be_visible()
    expect(
        page.locator(".opblock-summary-path", has_text="/transitions/{transition}").first
    ).to_be_visible()
    shoot(page, "01-docs")
    assert problems == []


def test_the_secretariat_registers_a_webhook(page: Page, db, csrf_on, shoot):
    officer = make_secretariat(email="officer@secretariat.example")
    db.session.commit()
    sign_in(page, officer.email)
    page.goto("/secretariat/")
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Address").fill("https://dashboard.example/hooks")
    page.get_by_label("What it is for").fill("Campaign dashboard")
    page.get_by_label("Nomination: Submit", exact=True).check()
    page.get_by_role("button", name="Add the webhook").click()
    secret = page.locator("#new-secret").inner_text()
    assert len(secret) == 64
    expect(page.get_by_text("https://dashboard.example/hooks")).to_be_visible()
    shoot(page, "01-webhook-added")
    page.get_by_role("button", name="Switch off").click()
    expect(page.get_by_role("button", name="Switch on")).to_be_visible()
