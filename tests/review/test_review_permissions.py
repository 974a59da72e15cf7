"""What a reviewer may open: only nominations with an accepted, non-conflicted assignment;
never another reviewer's assignment, name or confidential comment."""

from __future__ import annotations

import factories
import pytest
from review_support import submit_scores, text

from recognition.nominations.models import Attachment


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (None, 404),
        ("invited", 404),
        ("declined", 404),
        ("conflicted", 404),
        ("withdrawn", 404),
        ("accepted", 200),
        ("submitted", 200),
        ("reopened", 200),
    ],
)
def test_a_reviewer_opens_only_nominations_assigned_and_accepted(
    app, db, client, login_as, world, state, status
):
    reviewer = factories.make_reviewer(country="JP")
    if state is not None:
        factories.make_assignment(world.nomination, reviewer, state=state)
    db.session.commit()
    login_as(reviewer)
    assert client.get(f"/nominations/{world.nomination.id}").status_code == status


@pytest.mark.parametrize("state", [None, "declined", "conflicted"])
def test_a_reviewer_cannot_download_evidence_of_a_nomination_not_theirs(
    app, db, client, login_as, world, state
):
    letter = Attachment(
        nomination=world.nomination,
        field="motivation_letter",
        filename="letter.pdf",
        sha256="b" * 64,
        mime="application/pdf",
        size=10,
    )
    db.session.add(letter)
    reviewer = factories.make_reviewer(country="JP")
    if state is not None:
        factories.make_assignment(world.nomination, reviewer, state=state)
    db.session.commit()
    login_as(reviewer)
    url = f"/nominations/{world.nomination.id}/files/{letter.id}"
    assert client.get(url).status_code == 404


def test_a_reviewer_cannot_open_another_reviewer_s_assignment(app, db, client, login_as, world):
    other = factories.make_reviewer(country="JP")
    factories.make_assignment(world.nomination, other, state="accepted")
    db.session.commit()
    login_as(other)
    assert client.get(f"/reviews/{world.assignment.id}").status_code == 404


def test_a_focal_point_cannot_open_a_review(app, db, client, login_as, world):
    login_as(world.focal)
    assert client.get(f"/reviews/{world.assignment.id}").status_code == 404


@pytest.mark.parametrize("state", ["declined", "conflicted"])
def test_a_declined_or_conflicted_assignment_shows_no_nomination(
    app, db, client, login_as, world, state
):
    world.assignment.conflict_reason = "Advised the mayor"
    world.assignment.state = state
    db.session.commit()
    login_as(world.reviewer)
    response = client.get(f"/reviews/{world.assignment.id}")
    assert response.status_code == 200
    assert "We plan ahead." not in text(response)


def test_an_invitation_shows_the_city_but_not_the_answers(app, db, client, login_as, world):
    world.assignment.state = "invited"
    db.session.commit()
    login_as(world.reviewer)
    page = text(client.get(f"/reviews/{world.assignment.id}"))
    assert "Lyon" in page and "We plan ahead." not in page


def _fellow(db, world):
    fellow = factories.make_reviewer(name="Ingrid Fellow", email="ingrid@reviewers.example")
    assignment = factories.make_assignment(world.nomination, fellow, state="accepted")
    submit_scores(assignment, 4)
    assignment.comment_confidential = "Confidential remark"
    db.session.commit()
    return fellow


@pytest.mark.parametrize("page", ["nomination", "review", "reviews"])
def test_a_reviewer_never_sees_another_reviewer_s_name(app, db, client, login_as, world, page):
    fellow = _fellow(db, world)
    world.call.reviewers_see_scores = True
    submit_scores(world.assignment, 3)
    db.session.commit()
    login_as(world.reviewer)
    url = {
        "nomination": f"/nominations/{world.nomination.id}",
        "review": f"/reviews/{world.assignment.id}",
        "reviews": "/reviews?group=submitted",
    }[page]
    body = text(client.get(url))
    assert fellow.name not in body and fellow.email not in body
    assert "Confidential remark" not in body


def test_a_reviewer_does_not_see_the_secretariat_s_panel(app, db, client, login_as, world):
    _fellow(db, world)
    login_as(world.reviewer)
    page = text(client.get(f"/nominations/{world.nomination.id}"))
    assert "Invite a reviewer" not in page and "Weighted total" not in page
