"""'My reviews': to accept, to score, submitted — with deadlines, counts and progress."""

from __future__ import annotations

import re
from datetime import datetime

import factories
import pytest
from markupsafe import escape
from review_support import add_scores, page_queries, text

from recognition.accounts.models import User
from recognition.i18n import deadline
from recognition.pagecache import generation
from recognition.review.models import Post


@pytest.fixture
def desk(db):
    """A reviewer with one assignment in each state, to cities named after the state."""
    reviewer = factories.make_reviewer(country="JP")
    call = factories.make_call(state="reviewing", review_deadline=datetime(2099, 3, 14, 12, 0))
    assignments = {}
    for state in ("invited", "accepted", "reopened", "submitted", "declined", "conflicted"):
        nomination = factories.make_nomination(
            call=call, city=factories.make_city(name=f"Town {state}"), state="under_review"
        )
        assignments[state] = factories.make_assignment(nomination, reviewer, state=state)
    db.session.commit()
    return reviewer, assignments


@pytest.mark.parametrize(
    ("group", "shown"),
    [
        ("to_accept", {"invited"}),
        ("to_score", {"accepted", "reopened"}),
        ("reviewed", {"submitted"}),
    ],
)
def test_each_group_lists_its_assignments(app, client, login_as, desk, group, shown):
    reviewer, assignments = desk
    login_as(reviewer)
    page = text(client.get(f"/reviews?group={group}"))
    listed = {state for state in assignments if f"Town {state}<" in page}
    assert listed == shown


def _open_tab(page: str) -> str:
    return re.search(r'href="/reviews\?group=(\w+)" aria-current="page"', page).group(1)


def test_an_invitation_opens_before_an_empty_to_score(app, db, client, login_as):
    """A reviewer just invited lands on the invitation, not on an empty "to score" tab."""
    reviewer = factories.make_reviewer(country="JP")
    nomination = factories.make_nomination(
        call=factories.make_call(state="reviewing"),
        city=factories.make_city(name="Invited town"),
        state="under_review",
    )
    factories.make_assignment(nomination, reviewer, state="invited")
    db.session.commit()
    login_as(reviewer)
    page = text(client.get("/reviews"))
    assert _open_tab(page) == "to_accept"
    assert "Invited town<" in page


@pytest.mark.parametrize(
    ("states", "opened"),
    [
        (("invited", "accepted", "submitted"), "to_accept"),
        (("accepted", "submitted"), "to_score"),
        (("submitted",), "reviewed"),
        ((), "to_accept"),  # nothing anywhere: the first tab
        (("declined",), "to_accept"),  # a declined one is in none of the reviewer's tabs
    ],
)
def test_the_first_tab_that_holds_something_opens(app, db, client, login_as, states, opened):
    reviewer = factories.make_reviewer(country="JP")
    call = factories.make_call(state="reviewing")
    for state in states:
        nomination = factories.make_nomination(call=call, state="under_review")
        factories.make_assignment(nomination, reviewer, state=state)
    db.session.commit()
    login_as(reviewer)
    assert _open_tab(text(client.get("/reviews"))) == opened


def test_a_chosen_tab_stays_open_even_when_empty(app, db, client, login_as):
    reviewer = factories.make_reviewer(country="JP")
    nomination = factories.make_nomination(call=factories.make_call(state="reviewing"))
    factories.make_assignment(nomination, reviewer, state="invited")
    db.session.commit()
    login_as(reviewer)
    page = text(client.get("/reviews?group=to_score"))
    assert _open_tab(page) == "to_score"
    assert "Nothing here." in page


def test_each_group_shows_its_count(app, client, login_as, desk):
    reviewer, _ = desk
    login_as(reviewer)
    page = text(client.get("/reviews"))
    # The tabs are review.yaml's worklists for the assignee, titled as the home page titles them.
    tabs = (("Invitations to answer", 1), ("Awaiting my score", 2), ("Submitted reviews", 1))
    for title, count in tabs:
        assert f'{title} <span class="badge text-bg-secondary">{count}</span>' in page


def test_the_review_deadline_is_shown(app, client, login_as, desk):
    reviewer, assignments = desk
    login_as(reviewer)
    page = text(client.get("/reviews"))
    with app.test_request_context():
        expected = str(escape(deadline(assignments["accepted"].nomination.call.review_deadline)))
    assert expected in page


def test_each_row_links_to_the_scoring_page(app, client, login_as, desk):
    reviewer, assignments = desk
    login_as(reviewer)
    page = text(client.get("/reviews?group=to_score"))
    assert f'href="/reviews/{assignments["accepted"].id}"' in page


def test_progress_counts_the_scored_criteria(app, db, client, login_as, desk):
    reviewer, assignments = desk
    add_scores(assignments["accepted"], {"essential_1": 4, "essential_2": 3, "innovation": None})
    db.session.commit()
    login_as(reviewer)
    page = text(client.get("/reviews?group=to_score"))
    assert "2 of 13 criteria" in page


def test_other_reviewers_assignments_are_not_listed(app, db, client, login_as, desk, world):
    reviewer, _ = desk
    login_as(reviewer)
    page = text(client.get("/reviews"))
    assert "Lyon" not in page


def test_an_unknown_group_is_not_found(app, client, login_as, desk):
    reviewer, _ = desk
    login_as(reviewer)
    assert client.get("/reviews?group=everything").status_code == 404


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99"])
def test_any_page_number_is_answered(app, client, login_as, desk, page):
    reviewer, _ = desk
    login_as(reviewer)
    assert client.get(f"/reviews?page={page}").status_code == 200


def test_a_user_who_is_not_a_reviewer_is_refused(app, client, login_as, world):
    login_as(world.focal)
    assert client.get("/reviews").status_code == 403


def test_a_visitor_is_sent_to_sign_in(app, client):
    response = client.get("/reviews")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_page_costs_the_same_queries_whatever_the_number_of_reviews(app, db, client, login_as):
    reviewer = factories.make_reviewer(country="JP")
    call = factories.make_call(state="reviewing")

    def add(n):
        for _ in range(n):
            nomination = factories.make_nomination(call=call, state="under_review")
            assignment = factories.make_assignment(nomination, reviewer, state="accepted")
            add_scores(assignment, 3)
        db.session.commit()

    add(2)
    login_as(reviewer)
    client.get("/reviews")  # a first visit: from now on the page tells what is new
    few = page_queries(client, "/reviews?group=to_score")
    add(10)
    many = page_queries(client, "/reviews?group=to_score")
    assert many == few


def test_what_came_since_the_last_visit_is_marked_new(app, db, client, login_as):
    reviewer = factories.make_reviewer()
    call = factories.make_call(programme_id="sasakawa_award", state="reviewing")
    old = factories.make_assignment(
        factories.make_nomination(call=call, state="longlisted"),
        reviewer,
        state="submitted",
        round="longlist",
    )
    db.session.commit()
    login_as(reviewer)
    first = client.get("/reviews?group=reviewed").get_data(as_text=True)
    assert "Since your last visit" not in first
    # Meanwhile: a new invitation, and another panel member writes in the discussion.
    fresh = factories.make_assignment(
        factories.make_nomination(call=call, state="under_review"), reviewer, state="invited"
    )
    other = factories.make_reviewer()
    factories.make_assignment(old.nomination, other, state="submitted", round="longlist")
    db.session.add(
        Post(nomination_id=old.nomination_id, round="longlist", author_id=other.id, body="?")
    )
    db.session.commit()
    page = client.get("/reviews?group=reviewed").get_data(as_text=True)
    assert "1 new assignment," in page
    assert "1 new message in your panels' discussions" in page
    assert f'href="/reviews/{old.id}#discussion-longlist">1 new message</a>' in page
    assert "Longlist" in page  # the round of the assignment
    invited = client.get("/reviews?group=to_accept").get_data(as_text=True)
    assert f"/reviews/{fresh.id}" in invited
    # Seen now: the next visit has nothing new.
    again = client.get("/reviews?group=reviewed").get_data(as_text=True)
    assert "0 new assignments" in again and "new message</a>" not in again


def test_noting_the_visit_keeps_what_every_worker_keeps(app, db, client, login_as, desk):
    """The visit is written (the next one has nothing new) without moving the site's page
    generation: a reviewer looking at their list throws away no kept page or count."""
    reviewer, _assignments = desk
    login_as(reviewer)
    client.get("/reviews")
    before = generation()
    client.get("/reviews")
    db.session.expire_all()
    assert db.session.get(User, reviewer.id).reviews_seen_at is not None
    assert generation() == before
