"""The Sasakawa Award's rounds in the browser: technical evaluation → a longlist of ten →
the jury's shortlist of three → the Laureate.

The technical reviews are in (loaded); from there everything happens on the pages: the
secretariat takes the best ten of the technical ranking to the longlist, assigns the
longlist's panel, a panel member scores on the longlist's criteria and writes to the panel,
the best three go to the jury, the jury scores, the secretariat records the consensus and
decides the Laureate with every round's results in view.
"""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from browser_support import sign_in, sign_out
from playwright.sync_api import Page, expect

from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.review.models import Assignment, Score


def _technical_round(call, count: int = 12) -> list[Nomination]:
    """``count`` nominations under review with their technical review in, best first."""
    reviewer = factories.make_reviewer(name="Technical Reviewer")
    nominations = []
    for index in range(count):
        city = factories.make_city(name=f"Nominee {index + 1:02d}", country="PE")
        nomination = factories.make_nomination(call=call, city=city, state="under_review")
        assignment = factories.make_assignment(
            nomination, reviewer, state="submitted", round="review"
        )
        for criterion in call.programme.round("review").rubric.criteria:
            value = max(criterion.min, criterion.max - index // 2)
            assignment.scores.append(Score(criterion=criterion.id, value=value))
        assignment.recommendation = "recommend"
        nominations.append(nomination)
    _db.session.flush()
    return nominations


def _score_every_criterion(page: Page, value: int) -> None:
    for group in page.locator("[role=radiogroup]").all():
        group.locator(f"input[value='{value}']").check()
    page.locator("input[name=recommendation]").first.check()


def _review(page: Page, reviewer, value: int, message: str | None = None) -> None:
    """The reviewer accepts the first invitation, scores, submits; then writes to the panel."""
    sign_in(page, reviewer.email)
    page.goto("/reviews?group=to_accept")
    page.locator("main table a").first.click()
    page.locator("form[action$='/accept'] button[type=submit]").click()
    _score_every_criterion(page, value)
    page.locator("button[name=action][value=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    if message:
        page.locator("textarea[name$='-body']").fill(message)
        page.get_by_role("button", name="Send to the panel").click()
        expect(page.locator("main")).to_contain_text(message)
    sign_out(page)


@pytest.mark.parametrize("language", ["en"])
def test_technical_review_longlist_jury_and_laureate(page: Page, db, csrf_on, shoot, language):
    officer = factories.make_secretariat(email="officer@example.org")
    call = factories.make_call(
        programme_id="sasakawa_award", state="reviewing", reviewers_per_nomination=1
    )
    nominations = _technical_round(call)
    panel = [factories.make_reviewer(email=f"panel{i}@example.org") for i in range(2)]
    db.session.commit()

    # The best ten of the technical evaluation go to the longlist.
    sign_in(page, officer.email)
    page.goto(f"/secretariat/calls/{call.id}/ranking?round=review")
    expect(page.locator("input[name=ids]:checked")).to_have_count(10)
    shoot(page, "01-technical-ranking")
    page.get_by_role("button", name="Take the selected to the round “Longlist”").click()
    expect(page.locator("main")).to_contain_text("Done for 10 of 10 nominations.")
    states = dict(db.session.execute(sa.select(Nomination.id, Nomination.state)).all())
    assert sorted(states.values()).count("longlisted") == 10
    assert {states[n.id] for n in nominations[10:]} == {"under_review"}

    # The longlist's panel: three reviewers of the pool per nomination, as the round says.
    page.goto(f"/secretariat/calls/{call.id}/dashboard")
    rounds = page.locator("#rounds")
    rounds.locator("tr", has_text="Longlist").get_by_role("button", name="Assign the panel").click()
    expect(page.locator("main")).to_contain_text("30 reviewers invited.")
    # The jury of the third round: two more reviewers, named on the dashboard.
    jurors = [factories.make_reviewer(email=f"juror{i}@example.org") for i in range(2)]
    db.session.commit()
    page.goto(f"/secretariat/calls/{call.id}/dashboard")
    for juror in jurors:
        page.locator("#juror-jury").select_option(str(juror.id))
        page.get_by_role("button", name="Add to the jury").click()
    expect(page.locator("#rounds")).to_contain_text("A jury of 2")
    shoot(page, "02-rounds")
    sign_out(page)
    db.session.expire_all()
    longlist = db.session.scalars(sa.select(Assignment).where(Assignment.round == "longlist")).all()
    per_nomination = {a.nomination_id for a in longlist}
    assert len(longlist) == 30 and len(per_nomination) == 10

    # A panel member scores on the longlist's three criteria and writes to the panel.
    first = next(a for a in longlist if a.reviewer_id == panel[0].id)
    _review(page, panel[0], 4, message="Reviewer B, is the funding secure?")
    db.session.expire_all()
    scored = db.session.get(Assignment, first.id)
    assert scored.state == "submitted"
    assert {s.criterion for s in scored.scores} == {
        "concrete_results",
        "acting_ahead",
        "sustainability",
    }

    # The best three of the longlist go to the jury.
    sign_in(page, officer.email)
    page.goto(f"/secretariat/calls/{call.id}/ranking?round=longlist")
    expect(page.locator("input[name=ids]:checked")).to_have_count(3)
    shoot(page, "03-longlist-ranking")
    page.get_by_role("button", name="Take the selected to the round “Jury”").click()
    expect(page.locator("main")).to_contain_text("Done for 3 of 3 nominations.")
    page.goto(f"/secretariat/calls/{call.id}/dashboard")
    page.locator("#rounds tr", has_text="Jury").get_by_role(
        "button", name="Assign the panel"
    ).click()
    sign_out(page)
    db.session.expire_all()
    shortlisted = db.session.scalars(
        sa.select(Nomination).where(Nomination.state == "shortlisted")
    ).all()
    assert len(shortlisted) == 3
    jury = db.session.scalars(sa.select(Assignment).where(Assignment.round == "jury")).all()
    assert {(a.nomination_id, a.reviewer_id) for a in jury} == {
        (n.id, j.id) for n in shortlisted for j in jurors
    }

    # Each juror scores the three.
    for juror, value in zip(jurors, (5, 4), strict=True):
        for _ in range(3):
            _review(page, juror, value)
    db.session.expire_all()
    assert {
        a.state for a in db.session.scalars(sa.select(Assignment).where(Assignment.round == "jury"))
    } == {"submitted"}

    # The secretariat records the jury's consensus and decides the Laureate.
    winner = shortlisted[0]
    sign_in(page, officer.email)
    page.goto(f"/nominations/{winner.id}")
    expect(page.locator("#decision")).to_contain_text("1. Technical evaluation")
    expect(page.locator("#decision")).to_contain_text("3. Jury")
    consensus = page.locator("#discussion-jury")
    consensus.locator("textarea[name$='-statement']").fill("The jury is unanimous.")
    consensus.get_by_role("button", name="Record the consensus").click()
    expect(page.locator("#discussion-jury")).to_contain_text("The jury is unanimous.")
    decision = page.locator("#decision")
    decision.locator("input[name=outcome][value=recognise]").check()
    decision.locator("input[name=level][value=laureate]").check()
    shoot(page, "04-decision")
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.locator("main")).to_contain_text("Recognised")
    db.session.expire_all()
    decided = db.session.get(Nomination, winner.id)
    assert (decided.state, decided.award_level) == ("recognised", "laureate")
