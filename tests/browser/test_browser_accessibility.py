"""Every key page, in English and in Arabic: no axe-core violation, valid HTML (the HTML the
server sent, not the browser's repair of it), and usable with the keyboard (visible focus,
skip link)."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import sign_in, submitted_review
from conftest import ARTIFACTS, validate_html
from factories import (
    complete_role_model_answers,
    make_assignment,
    make_call,
    make_city,
    make_focal_point,
    make_nomination,
    make_partner,
    make_reviewer,
    make_secretariat,
    make_user,
)
from playwright.sync_api import Page

from recognition.letters.models import letter_field
from recognition.letters.operations import RefereeDetails, ask
from recognition.timeutil import utcnow

AXE = Axe()


@pytest.fixture
def campaign(db):
    """A campaign with something on every key page."""
    officer = make_secretariat(email="officer@example.org")
    focal = make_focal_point(email="city@example.org")
    city = focal.memberships[0].city
    reviewer = make_reviewer(email="reviewer@example.org")
    call = make_call("role_model_city", title="Role Model Cities 2027")
    draft_call = make_call("sasakawa_award", title="Sasakawa Award 2027")
    nomination = make_nomination(call, city, state="under_review")
    complete_role_model_answers(nomination, focal)
    assignment = make_assignment(nomination, reviewer, state="accepted")
    for n in range(2):
        submitted_review(nomination, make_reviewer(email=f"r{n}@example.org"))
    draft = make_nomination(draft_call, city, state="draft")
    # A referee asked for a letter of support: the page of the link, opened without an account.
    referee = RefereeDetails("Rania Referee", "Resilience Network", "rania@example.org", "ar")
    _letter, letter_token = ask(
        draft, letter_field(draft.programme, "referee_letters"), referee, focal
    )
    announced_focal = make_focal_point(email="public@example.org")
    announced_city = announced_focal.memberships[0].city
    announced_city.region = "Pichincha"
    earlier = make_call("role_model_city", title="Role Model Cities 2025", state="announced")
    earlier.announced_at = utcnow()
    earlier.announcement = {"en": "Congratulations to the cities recognised this year."}
    announced = make_nomination(
        earlier,
        announced_city,
        state="announced",
        areas_of_strength=[1, 2, 3, 4, 5],
        announced_at=utcnow(),
        decision_comment="Congratulations on the flood parks.",
        verification_code="VRFY234567",  # its certificate's, for /verify
        # The practice summary of the city page: public answers of several kinds.
        answers={
            "population": "250000",
            "hazards": ["flood", "heat"],
            "joined_campaign": "2021-03-15",
            "motivation": "The city plans and acts with its residents.",
        },
    )
    call.state = "reviewing"
    # A decided call, for the page that says who its announcement tells what.
    decided = make_call("role_model_city", title="Role Model Cities 2026", state="decided")
    decided.announcement = {"en": "Two cities recognised."}
    make_nomination(decided, city, state="recognised", areas_of_strength=[1, 2, 3, 4, 5])
    make_nomination(decided, announced_city, state="not_recognised")
    # Campaign partners: a verified one with a recognition it nominated, an application.
    partner_focal = make_user(email="partner@example.org", name="Claire Martin")
    partner = make_partner(
        "Global Alliance for Disaster Reduction",
        members=[partner_focal, make_user(email="deputy@example.org")],
        country=None,
        website="https://alliance.example.org",
        essentials=[1, 3, 9],
        offer={"en": "Training for neighbourhood volunteers.", "ar": "تدريب المتطوعين."},
    )
    make_nomination(
        earlier,
        make_city(name="Dakar", country="SN"),
        state="announced",
        partner=partner,
        areas_of_strength=[1, 2, 3, 4, 5],
        announced_at=utcnow(),
    )
    applicant = make_partner("Andean Network", state="applied", country="PE")
    db.session.commit()
    return {
        "visitor": (
            None,
            [
                "/login",
                "/register",
                "/calls",
                "/recognised",
                "/recognised?programme=role_model_city&essential=3&q=city",
                "/recognised?q=nowhere",
                f"/recognised/cities/{announced_city.id}",
                "/announcements",
                f"/announcements/{earlier.id}",
                "/verify",
                "/verify/VRFY234567",
                f"/nominations/{announced.id}",
                f"/letters/{letter_token}",
                "/partners",
                "/partners?country=global&q=alliance",
                "/partners?q=nowhere",
                f"/partners/{partner.id}",
                "/partners/apply",
            ],
        ),
        "partner": (
            partner_focal,
            [
                f"/partners/{partner.id}",
                f"/partners/{partner.id}/edit",
                f"/partners/{partner.id}/nominations",
                "/partners/apply",
            ],
        ),
        "city": (
            focal,
            [
                "/nominations",
                f"/nominations/{nomination.id}",
                f"/nominations/{draft.id}/edit/nominee",
                f"/nominations/{draft.id}",  # the letters panel: a letter asked, its form
                f"/nominations/{draft.id}/letters/referee_letters",
                f"/nominations/{nomination.id}/edit/self_assessment",
            ],
        ),
        # The outcome, the secretariat's words, the certificate, once announced.
        "recognised city": (announced_focal, [f"/nominations/{announced.id}"]),
        "reviewer": (reviewer, ["/reviews", f"/reviews/{assignment.id}"]),
        "officer": (
            officer,
            [
                "/secretariat/",
                f"/secretariat/calls/{call.id}/dashboard",
                f"/secretariat/calls/{call.id}/ranking",
                f"/nominations/{nomination.id}",
                f"/nominations/{nomination.id}/invite",
                f"/secretariat/calls/{call.id}/workbook",
                f"/workflow/call/{draft_call.id}/close",
                f"/workflow/call/{decided.id}/announce",
                f"/partners/{applicant.id}",
            ],
        ),
    }


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_key_pages_have_no_axe_violations_and_valid_html(page: Page, campaign, lang, db):
    folder = ARTIFACTS / f"html-{lang}"
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    violations: dict[str, str] = {}
    for role, (user, paths) in campaign.items():
        page.context.clear_cookies()
        if user is not None:
            user.locale = lang
            db.session.commit()
            sign_in(page, user.email)
        for path in paths:
            response = page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response is not None and response.status == 200, path
            assert page.locator("html").get_attribute("lang") == lang
            result = AXE.run(page)
            if result.violations_count:
                violations[f"{role} {path}"] = result.generate_report()
            target = folder / f"{role}-{path.strip('/').replace('/', '-') or 'home'}.html"
            # The body as sent: page.content() would be the DOM chromium built, with every
            # mistake of the markup already repaired.
            target.write_bytes(response.body())
            saved.append(target)
    assert violations == {}, "\n\n".join(f"{k}\n{v}" for k, v in violations.items())
    report = validate_html(saved)
    assert report == "", report


def test_the_validity_check_fails_on_markup_a_browser_would_repair(tmp_path):
    """The check above can fail: the kind of mistake chromium silently repairs is caught."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        "<body><main><p>One<div>two</p></div><table><td>cell</table></main></body></html>",
        encoding="utf-8",
    )
    assert validate_html([broken]) != ""


def test_skip_link_and_visible_focus(page: Page, campaign):
    page.goto("/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
