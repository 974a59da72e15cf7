"""Journey 3: the secretariat assigns reviewers automatically; a reviewer working in Arabic
declares a conflict; another scores every criterion with the keyboard only, saves a draft
and submits."""

from __future__ import annotations

from browser_support import sign_in, sign_out, tab_to
from factories import (
    complete_role_model_answers,
    make_call,
    make_focal_point,
    make_nomination,
    make_reviewer,
    make_secretariat,
)
from playwright.sync_api import Page, expect

from recognition.review.models import Assignment


def test_assign_conflict_and_keyboard_scoring(page: Page, db, csrf_on, shoot):
    officer = make_secretariat(email="officer@example.org")
    call = make_call("role_model_city", reviewers_per_nomination=2)
    focal = make_focal_point(email="city@example.org")
    nomination = make_nomination(call, focal.memberships[0].city, state="under_review")
    complete_role_model_answers(nomination, focal)
    amina = make_reviewer(
        email="amina@example.org", name="Amina", locale="ar", country="EG", languages=["ar", "en"]
    )
    lucas = make_reviewer(email="lucas@example.org", name="Lucas", country="BR")
    db.session.commit()

    sign_in(page, officer.email)
    page.goto(f"/secretariat/calls/{call.id}/dashboard")
    page.locator("form[action$='/auto-assign'] button").first.click()
    expect(page.locator("main")).to_contain_text("2")
    shoot(page, "01-auto-assigned")
    sign_out(page)
    assert db.session.query(Assignment).count() == 2

    # Amina works in Arabic and declares a conflict of interest.
    sign_in(page, amina.email)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto("/reviews?group=to_accept")
    page.locator("main table a").first.click()
    conflict = page.locator("form[action$='/declare_conflict']")
    conflict.locator("textarea").fill("I advised this city in 2024.")
    conflict.locator("button[type=submit]").click()
    shoot(page, "02-conflict-ar")
    sign_out(page)

    # Lucas accepts, then scores with the keyboard only.
    sign_in(page, lucas.email)
    page.goto("/reviews?group=to_accept")
    page.locator("main table a").first.click()
    page.locator("form[action$='/accept'] button[type=submit]").click()
    criteria = nomination.programme.rubric.criteria
    forward = "ArrowRight"  # Lucas works left to right
    for criterion in criteria:
        tab_to(page, f"input[name='score_{criterion.id}']")
        page.keyboard.press("Space")  # checks the first option (0)
        for _ in range(4):
            page.keyboard.press(forward)
        page.keyboard.press("Tab")  # to the criterion's comment
        page.keyboard.type(f"Solid evidence on {criterion.id}.")
    tab_to(page, "button[name=action][value=save]")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("saved as a draft")
    shoot(page, "03-draft-saved")
    tab_to(page, "input[name=recommendation]")
    page.keyboard.press("Space")
    tab_to(page, "button[name=action][value=submit]")
    page.keyboard.press("Enter")
    # The draft's alert is still there until the next page comes: wait for the submitted one.
    expect(page.locator(".alert-success")).to_contain_text("is submitted")
    shoot(page, "04-submitted")

    db.session.expire_all()
    review = db.session.query(Assignment).filter_by(reviewer_id=lucas.id).one()
    assert review.state == "submitted"
    assert {s.criterion: s.value for s in review.scores} == {c.id: 4 for c in criteria}
    conflicted = db.session.query(Assignment).filter_by(reviewer_id=amina.id).one()
    assert conflicted.state == "conflicted"
    assert conflicted.conflict_reason == "I advised this city in 2024."


def test_typing_survives_an_ended_session(page: Page, db, csrf_on):
    """The session ends while a reviewer types: sending the form leads to the sign-in page,
    and after signing in again the page gives back what was typed, to save."""
    nomination = make_nomination(make_call("role_model_city"), state="under_review")
    reviewer = make_reviewer(email="rita@example.org")
    assignment = Assignment(nomination=nomination, reviewer=reviewer, state="accepted")
    db.session.add(assignment)
    db.session.commit()

    sign_in(page, reviewer.email)
    page.goto(f"/reviews/{assignment.id}")
    first = nomination.programme.rubric.criteria[0]
    page.check(f"input[name='score_{first.id}'][value='4']")
    page.fill("textarea[name='comment_for_city']", "Kept in the browser, not on the server.")
    page.context.clear_cookies()  # the session ends
    page.locator("form[data-keep-draft] button[value=save]").click()
    expect(page.locator("main")).to_contain_text("Your session ended")
    assert "/login" in page.url

    page.fill("#email", reviewer.email)
    page.fill("#password", "correct horse battery")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/reviews/{assignment.id}")
    expect(page.locator("[data-draft-restored]")).to_be_visible()
    expect(page.locator(f"input[name='score_{first.id}'][value='4']")).to_be_checked()
    expect(page.locator("textarea[name='comment_for_city']")).to_have_value(
        "Kept in the browser, not on the server."
    )
    page.locator("form[data-keep-draft] button[value=save]").click()
    expect(page.locator("[data-draft-restored]")).to_be_hidden()
    db.session.expire_all()
    stored = db.session.get(Assignment, assignment.id)
    assert stored.comment_for_city == "Kept in the browser, not on the server."
