"""Helpers shared by the browser journeys."""

from __future__ import annotations

import re

import factories
from playwright.sync_api import Page

from recognition.extensions import db
from recognition.review.models import Score
from recognition.timeutil import utcnow


def sign_in(page: Page, email: str, password: str = factories.PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/(?!login).*"))


def sign_out(page: Page) -> None:
    """Sign out and wait for the page that follows, so that the next step starts signed out."""
    page.locator("form[action='/logout'] button").click()
    page.locator("form[action='/logout']").wait_for(state="detached")


def submitted_review(nomination, reviewer, value: int = 4):
    """An assignment with every criterion scored ``value`` and submitted."""
    assignment = factories.make_assignment(nomination, reviewer, state="submitted")
    for criterion in nomination.programme.rubric.criteria:
        assignment.scores.append(Score(criterion=criterion.id, value=value, comment=""))
    assignment.recommendation = "recommend"
    assignment.submitted_at = utcnow()
    db.session.flush()
    return assignment


def tab_to(page: Page, selector: str, limit: int = 400) -> None:
    """Press Tab until the element matching ``selector`` has the focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement && document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")
