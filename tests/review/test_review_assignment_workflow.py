"""An assignment follows review.yaml: the reviewer accepts, declines or declares a conflict;
the secretariat sees it and can assign someone else or withdraw an assignment mid-round."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from review_support import fire_url, submit_scores, text

from recognition.notifications.models import OutboxMessage
from recognition.review.aggregation import aggregate_nomination
from recognition.review.models import Assignment, Score


@pytest.fixture
def invited(db, world):
    """A second reviewer, invited to the world's nomination (committed)."""
    reviewer = factories.make_reviewer(name="Chen Wei", email="chen@reviewers.example")
    assignment = factories.make_assignment(world.nomination, reviewer, state="invited")
    db.session.commit()
    return assignment


def _fire(client, assignment, transition, comment=""):
    return client.post(
        fire_url(assignment, transition),
        data={"comment": comment, "version": assignment.version, "next": "/reviews"},
    )


def _state(db, assignment) -> str:
    return db.session.get(Assignment, assignment.id).state


def test_the_reviewer_accepts(app, db, client, login_as, invited):
    login_as(invited.reviewer)
    _fire(client, invited, "accept")
    assert _state(db, invited) == "accepted"


def test_an_accepted_reviewer_can_open_the_nomination(app, db, client, login_as, invited):
    login_as(invited.reviewer)
    assert client.get(f"/nominations/{invited.nomination_id}").status_code == 404
    _fire(client, invited, "accept")
    assert client.get(f"/nominations/{invited.nomination_id}").status_code == 200


def test_the_reviewer_declines_and_the_secretariat_is_told(
    app, db, client, login_as, world, invited
):
    login_as(invited.reviewer)
    _fire(client, invited, "decline", "Travelling all month")
    assert _state(db, invited) == "declined"
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.recipient_id == world.officer.id)
    )
    assert "Travelling all month" in message.body_text


def test_the_panel_shows_a_decline_with_its_comment(app, db, client, login_as, world, invited):
    login_as(invited.reviewer)
    _fire(client, invited, "decline", "Travelling all month")
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}"))
    assert "Declined: Travelling all month" in page


@pytest.mark.parametrize("state", ["invited", "accepted"])
def test_a_conflict_needs_a_reason(app, db, client, login_as, invited, state):
    invited.state = state
    db.session.commit()
    login_as(invited.reviewer)
    response = _fire(client, invited, "declare_conflict", "   ")
    assert _state(db, invited) == state
    assert "A comment is required" in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("state", ["invited", "accepted"])
def test_a_declared_conflict_keeps_its_reason(app, db, client, login_as, invited, state):
    invited.state = state
    db.session.commit()
    login_as(invited.reviewer)
    _fire(client, invited, "declare_conflict", "I advised the mayor in 2024")
    stored = db.session.get(Assignment, invited.id)
    assert (stored.state, stored.conflict_reason) == ("conflicted", "I advised the mayor in 2024")


def test_the_secretariat_sees_the_conflict_and_assigns_someone_else(
    app, db, client, login_as, world, invited
):
    login_as(invited.reviewer)
    _fire(client, invited, "declare_conflict", "I advised the mayor in 2024")
    replacement = factories.make_reviewer(name="Ana Lima", country="BR")
    db.session.commit()
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}"))
    assert "Conflict: I advised the mayor in 2024" in page
    client.post(f"/nominations/{world.nomination.id}/assign", data={"reviewer": replacement.id})
    states = dict(
        db.session.execute(
            sa.select(Assignment.reviewer_id, Assignment.state).where(
                Assignment.nomination_id == world.nomination.id
            )
        ).all()
    )
    assert states == {
        world.reviewer.id: "accepted",
        invited.reviewer_id: "conflicted",
        replacement.id: "invited",
    }


def test_the_secretariat_is_told_of_a_conflict(app, db, client, login_as, world, invited):
    login_as(invited.reviewer)
    _fire(client, invited, "declare_conflict", "I advised the mayor in 2024")
    bodies = db.session.scalars(
        sa.select(OutboxMessage.body_text).where(OutboxMessage.recipient_id == world.officer.id)
    ).all()
    assert any("I advised the mayor in 2024" in body for body in bodies)


@pytest.mark.parametrize("transition", ["accept", "decline", "declare_conflict"])
def test_only_the_assignee_answers_an_invitation(
    app, db, client, login_as, world, invited, transition
):
    login_as(world.reviewer)  # assigned to the nomination, but not to this invitation
    _fire(client, invited, transition, "a reason")
    assert _state(db, invited) == "invited"


@pytest.mark.parametrize("state", ["invited", "accepted", "reopened"])
def test_the_secretariat_withdraws_an_assignment(app, db, client, login_as, world, state):
    world.assignment.state = state
    db.session.commit()
    login_as(world.officer)
    _fire(client, world.assignment, "withdraw")
    assert _state(db, world.assignment) == "withdrawn"


def test_a_withdrawn_reviewer_is_told(app, db, client, login_as, world):
    login_as(world.officer)
    _fire(client, world.assignment, "withdraw", "Replaced by a regional expert")
    subjects = db.session.scalars(
        sa.select(OutboxMessage.subject).where(OutboxMessage.recipient_id == world.reviewer.id)
    ).all()
    assert len(subjects) == 1


def test_a_withdrawn_reviewer_loses_access(app, db, client, login_as, world):
    login_as(world.officer)
    _fire(client, world.assignment, "withdraw")
    login_as(world.reviewer)
    assert client.get(f"/nominations/{world.nomination.id}").status_code == 404
    assert client.get(f"/reviews/{world.assignment.id}").status_code == 404


def test_a_reviewer_cannot_withdraw(app, db, client, login_as, world):
    login_as(world.reviewer)
    _fire(client, world.assignment, "withdraw")
    assert _state(db, world.assignment) == "accepted"


def test_a_submitted_review_cannot_be_withdrawn(app, db, client, login_as, world):
    submit_scores(world.assignment, 4)
    db.session.commit()
    login_as(world.officer)
    _fire(client, world.assignment, "withdraw")
    assert _state(db, world.assignment) == "submitted"


def test_withdrawing_a_reviewer_mid_round_keeps_the_submitted_scores(
    app, db, client, login_as, world, invited
):
    submit_scores(world.assignment, 4)
    invited.state = "accepted"
    db.session.commit()
    login_as(world.officer)
    _fire(client, invited, "withdraw")
    result = aggregate_nomination(world.nomination)
    assert result.reviews == 1
    assert result.criteria["essential_1"].values == [4]


def test_withdrawing_keeps_the_withdrawn_reviewer_s_draft_rows(app, db, client, login_as, world):
    world.assignment.scores.append(Score(criterion="essential_1", value=2, comment="draft"))
    db.session.commit()
    login_as(world.officer)
    _fire(client, world.assignment, "withdraw")
    kept = db.session.scalars(
        sa.select(Score.value).where(Score.assignment_id == world.assignment.id)
    ).all()
    assert kept == [2]


def test_the_panel_links_each_assignment_for_the_secretariat(app, db, client, login_as, world):
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}"))
    assert f'href="/reviews/{world.assignment.id}">Wanjiru Reviewer</a>' in page


def test_the_secretariat_finds_the_withdraw_action_on_the_assignment_page(
    app, db, client, login_as, world
):
    login_as(world.officer)
    page = text(client.get(f"/reviews/{world.assignment.id}"))
    assert f'action="/workflow/review/{world.assignment.id}/withdraw"' in page
