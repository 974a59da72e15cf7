"""Once a nomination is announced, a reviewer who never engaged with it (declined, conflicted,
only invited) sees its public projection on the review page, as everyone does; the reviewers
who reviewed it keep the whole file. And the reviewers' comments for the city are part of
the whole file, never of the projection."""

from __future__ import annotations

import factories
import pytest
from review_support import move_nomination, submit_scores, text

from recognition.nominations.models import Attachment

PUBLIC = "We plan ahead with every district."
PRIVATE = "Our drainage budget was cut twice."
COMMENT_FOR_CITY = "Keep publishing the drills calendar."


@pytest.fixture
def announced(db, world):
    """The world's nomination announced with its call, a private answer and a letter; the
    world's reviewer submitted a review with a comment for the city (committed)."""
    nomination = world.nomination
    nomination.answers = {"motivation": PUBLIC, "essentials__1__narrative": PRIVATE}
    db.session.add(
        Attachment(
            nomination=nomination,
            field="motivation_letter",
            filename="signed-by-the-mayor.pdf",
            sha256="d" * 64,
            mime="application/pdf",
            size=100,
        )
    )
    submit_scores(world.assignment, 4)
    world.assignment.comment_for_city = COMMENT_FOR_CITY
    world.call.state = "announced"
    move_nomination(nomination, "announced", world.officer)
    db.session.commit()
    return world


@pytest.mark.parametrize("state", ["invited", "declined", "conflicted"])
def test_a_reviewer_who_never_engaged_sees_only_the_projection(
    db, client, login_as, announced, state
):
    other = factories.make_reviewer(name="Other Reviewer")
    assignment = factories.make_assignment(announced.nomination, other, state=state)
    db.session.commit()
    login_as(other)
    response = client.get(f"/reviews/{assignment.id}")
    assert response.status_code == 200
    page = text(response)
    assert PUBLIC in page
    assert PRIVATE not in page
    assert "signed-by-the-mayor.pdf" not in page


def test_the_reviewer_who_reviewed_keeps_the_whole_file(client, login_as, announced):
    login_as(announced.reviewer)
    page = text(client.get(f"/reviews/{announced.assignment.id}"))
    assert PUBLIC in page and PRIVATE in page
    assert "signed-by-the-mayor.pdf" in page


@pytest.mark.parametrize("viewer", ["stranger", "anonymous", "other reviewer"])
def test_the_comments_for_the_city_are_not_public(db, client, login_as, announced, viewer):
    user = {
        "stranger": factories.make_user,
        "anonymous": lambda: None,
        "other reviewer": factories.make_reviewer,
    }[viewer]()
    db.session.commit()
    login_as(user)
    response = client.get(f"/nominations/{announced.nomination.id}")
    assert response.status_code == 200
    assert COMMENT_FOR_CITY not in text(response)


@pytest.mark.parametrize("viewer", ["focal", "reviewer", "officer"])
def test_the_whole_file_reads_the_comments_for_the_city(client, login_as, announced, viewer):
    login_as(getattr(announced, viewer))
    assert COMMENT_FOR_CITY in text(client.get(f"/nominations/{announced.nomination.id}"))
