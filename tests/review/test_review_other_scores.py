"""After submitting, a reviewer may see the other reviewers' scores, labelled A, B, C —
never by name — when the call allows it."""

from __future__ import annotations

import factories
import pytest
from review_support import add_scores, submit_scores, text


@pytest.fixture
def panel(db, world):
    """Three reviewers of the world's nomination: the world's reviewer (accepted) and two
    others who submitted (essential_1 scored 1 and 2), on a call that shares scores."""
    world.call.reviewers_see_scores = True
    others = []
    for n, (name, email) in enumerate(
        (("Olga Petrova", "olga@reviewers.example"), ("Kwame Mensah", "kwame@reviewers.example")),
        start=1,
    ):
        reviewer = factories.make_reviewer(name=name, email=email)
        assignment = factories.make_assignment(world.nomination, reviewer, state="accepted")
        submit_scores(assignment, {"essential_1": n, "essential_2": 5})
        others.append(reviewer)
    db.session.commit()
    return others


def _page(client, login_as, world) -> str:
    login_as(world.reviewer)
    return text(client.get(f"/reviews/{world.assignment.id}"))


def test_after_submitting_the_other_scores_are_shown_by_letter(
    app, db, client, login_as, world, panel
):
    submit_scores(world.assignment, 3)
    db.session.commit()
    page = _page(client, login_as, world)
    assert "The other reviewers" in page
    # The world's reviewer was assigned first: A; the others are B and C.
    assert "Reviewer B" in page and "Reviewer C" in page
    assert "Reviewer A<" not in page


def test_the_other_scores_are_in_their_reviewer_s_column(app, db, client, login_as, world, panel):
    submit_scores(world.assignment, 3)
    db.session.commit()
    page = _page(client, login_as, world)
    row = page[page.index("The other reviewers") :]
    row = row[row.index("Essential 1") :]
    row = row[: row.index("</tr>")]
    assert row.endswith(
        '<td><span class="score text-nowrap">1/5</span></td>'
        '<td><span class="score text-nowrap">2/5</span></td>'
    )


def test_the_other_reviewers_are_never_named(app, db, client, login_as, world, panel):
    submit_scores(world.assignment, 3)
    db.session.commit()
    page = _page(client, login_as, world)
    for other in panel:
        assert other.name not in page
        assert other.email not in page


def test_before_submitting_the_other_scores_are_hidden(app, db, client, login_as, world, panel):
    page = _page(client, login_as, world)
    assert "Reviewer B" not in page


def test_without_the_call_s_permission_the_other_scores_are_hidden(
    app, db, client, login_as, world, panel
):
    world.call.reviewers_see_scores = False
    submit_scores(world.assignment, 3)
    db.session.commit()
    page = _page(client, login_as, world)
    assert "Reviewer B" not in page


def test_a_draft_of_another_reviewer_is_not_shown(app, db, client, login_as, world, panel):
    drafting = factories.make_reviewer(name="Draft Writer")
    draft = factories.make_assignment(world.nomination, drafting, state="accepted")
    add_scores(draft, {"essential_1": 0})
    submit_scores(world.assignment, 3)
    db.session.commit()
    page = _page(client, login_as, world)
    assert "Reviewer D" not in page
    assert "<td>0</td>" not in page


def test_the_other_reviewers_confidential_comments_are_not_shown(
    app, db, client, login_as, world, panel
):
    other = factories.make_reviewer(name="Secretive")
    assignment = factories.make_assignment(world.nomination, other, state="accepted")
    submit_scores(assignment, 4)
    assignment.comment_confidential = "Only for the secretariat"
    submit_scores(world.assignment, 3)
    db.session.commit()
    page = _page(client, login_as, world)
    assert "Only for the secretariat" not in page
