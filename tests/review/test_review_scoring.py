"""The scoring page: the nomination beside the rubric; drafts that lose nothing; submission
of a complete review; reopening until the deadline or until reviewing closes."""

from __future__ import annotations

from datetime import datetime, timedelta

import factories
import pytest
import sqlalchemy as sa
from markupsafe import escape
from review_support import (
    checked,
    criteria,
    csrf_token,
    fire_url,
    form_data,
    move_nomination,
    submit_scores,
    text,
)

from recognition.i18n import deadline
from recognition.nominations.models import Attachment
from recognition.review.models import Assignment
from recognition.timeutil import utcnow


def _url(assignment) -> str:
    return f"/reviews/{assignment.id}"


def _stored(db, assignment) -> Assignment:
    return db.session.get(Assignment, assignment.id)


def _values(db, assignment) -> dict[str, int | None]:
    return {s.criterion: s.value for s in _stored(db, assignment).scores}


# -- the page --------------------------------------------------------------------------------


def test_the_page_shows_the_nomination_s_answers(app, client, login_as, world):
    login_as(world.reviewer)
    assert "We plan ahead." in text(client.get(_url(world.assignment)))


def test_the_page_links_the_nomination_s_attachments(app, db, client, login_as, world):
    letter = Attachment(
        nomination=world.nomination,
        field="motivation_letter",
        filename="mayor-letter.pdf",
        sha256="a" * 64,
        mime="application/pdf",
        size=2048,
    )
    db.session.add(letter)
    db.session.commit()
    login_as(world.reviewer)
    page = text(client.get(_url(world.assignment)))
    assert f'href="/nominations/{world.nomination.id}/files/{letter.id}"' in page
    assert "mayor-letter.pdf" in page


def test_each_criterion_shows_its_title_and_description(app, client, login_as, world):
    login_as(world.reviewer)
    page = text(client.get(_url(world.assignment)))
    for criterion in criteria():
        assert str(escape(criterion.title)) in page
        assert str(escape(criterion.description)) in page


@pytest.mark.parametrize(("programme_id", "top"), [("role_model_city", 5), ("sasakawa_award", 10)])
def test_each_criterion_is_scored_on_its_scale(app, db, client, login_as, programme_id, top):
    call = factories.make_call(programme_id=programme_id, state="reviewing")
    nomination = factories.make_nomination(call=call, state="under_review")
    assignment = factories.make_assignment(nomination, factories.make_reviewer())
    db.session.commit()
    login_as(assignment.reviewer)
    page = text(client.get(_url(assignment)))
    first = criteria(programme_id)[0].id
    values = [v for v in range(-1, 12) if f'name="score_{first}" type="radio" value="{v}"' in page]
    assert values == list(range(0, top + 1))


def test_the_page_has_the_recommendation_and_both_comments(app, client, login_as, world):
    login_as(world.reviewer)
    page = text(client.get(_url(world.assignment)))
    for label in (
        "Overall recommendation",
        "Comment for the city",
        "Confidential comment for the secretariat",
    ):
        assert label in page


def test_the_page_shows_the_review_deadline(app, client, login_as, world):
    login_as(world.reviewer)
    page = text(client.get(_url(world.assignment)))
    with app.test_request_context():
        assert str(escape(deadline(world.call.review_deadline))) in page


# -- drafts ----------------------------------------------------------------------------------


def test_a_draft_keeps_partial_scores_and_every_comment(app, db, client, login_as, world):
    login_as(world.reviewer)
    data = {
        "action": "save",
        "score_essential_1": "4",
        "comment_essential_1": "Strong coordination",
        "comment_for_city": "Well argued",
        "comment_confidential": "Check the budget figures",
    }
    response = client.post(_url(world.assignment), data=data)
    assert response.status_code == 303
    stored = _stored(db, world.assignment)
    assert stored.state == "accepted"
    assert stored.score_for("essential_1").value == 4
    assert stored.score_for("essential_1").comment == "Strong coordination"
    assert stored.score_for("essential_2").value is None
    assert (stored.comment_for_city, stored.comment_confidential) == (
        "Well argued",
        "Check the budget figures",
    )


def test_a_saved_draft_comes_back_on_the_page(app, db, client, login_as, world):
    login_as(world.reviewer)
    client.post(_url(world.assignment), data=form_data(value=2))
    page = text(client.get(_url(world.assignment)))
    assert checked(page, "score_essential_1", "2")
    assert "Comment on essential_1" in page


def test_saving_again_replaces_the_draft(app, db, client, login_as, world):
    login_as(world.reviewer)
    client.post(_url(world.assignment), data=form_data(value=2))
    client.post(_url(world.assignment), data=form_data(value=5))
    assert set(_values(db, world.assignment).values()) == {5}


@pytest.mark.parametrize("bad", ["9", "-1", "abc", "3.5", "", "²", "99999999999999999999999"])
def test_a_bad_score_in_a_draft_is_dropped_the_rest_kept(app, db, client, login_as, world, bad):
    login_as(world.reviewer)
    data = form_data(value=3, score_essential_1=bad)
    response = client.post(_url(world.assignment), data=data)
    assert response.status_code in (200, 303)
    values = _values(db, world.assignment)
    assert values["essential_1"] is None
    assert values["essential_2"] == 3


@pytest.mark.parametrize("bad", ["hire my cousin", "x" * 100])
def test_an_unknown_recommendation_is_not_kept(app, db, client, login_as, world, bad):
    login_as(world.reviewer)
    response = client.post(_url(world.assignment), data=form_data(recommendation=bad))
    assert response.status_code == 200
    assert _stored(db, world.assignment).recommendation == ""
    assert _values(db, world.assignment)["essential_1"] == 3


def test_a_draft_with_a_bad_value_comes_back_with_the_error(app, db, client, login_as, world):
    login_as(world.reviewer)
    response = client.post(_url(world.assignment), data=form_data(value=3, score_essential_1="9"))
    page = text(response)
    assert response.status_code == 200
    assert "Not a valid choice" in page
    assert checked(page, "score_essential_2", "3")


def test_a_draft_with_an_overlong_comment_keeps_it(app, db, client, login_as, world):
    long = "word " * 2_500
    login_as(world.reviewer)
    response = client.post(_url(world.assignment), data=form_data(comment_essential_1=long))
    assert response.status_code == 200
    assert _stored(db, world.assignment).score_for("essential_1").comment == long.strip()


# -- submission ------------------------------------------------------------------------------


def test_a_complete_review_is_submitted(app, db, client, login_as, world):
    login_as(world.reviewer)
    response = client.post(_url(world.assignment), data=form_data(value=4, action="submit"))
    assert response.status_code == 303
    stored = _stored(db, world.assignment)
    assert stored.state == "submitted"
    assert stored.submitted_at is not None
    assert set(_values(db, world.assignment).values()) == {4}


def test_submitting_with_a_criterion_missing_is_refused(app, db, client, login_as, world):
    login_as(world.reviewer)
    data = form_data(value=4, action="submit")
    del data["score_sharing"]
    response = client.post(_url(world.assignment), data=data)
    assert response.status_code == 400
    assert _stored(db, world.assignment).state == "accepted"


def test_a_refused_submission_keeps_what_was_typed(app, db, client, login_as, world):
    login_as(world.reviewer)
    data = form_data(value=4, action="submit")
    del data["score_sharing"]
    page = text(client.post(_url(world.assignment), data=data))
    assert checked(page, "score_essential_1", "4")
    assert "This field is required" in page
    assert _values(db, world.assignment)["essential_1"] == 4


def test_submitting_without_a_recommendation_is_refused(app, db, client, login_as, world):
    login_as(world.reviewer)
    client.post(_url(world.assignment), data=form_data(value=4, action="submit", recommendation=""))
    assert _stored(db, world.assignment).state == "accepted"


def test_a_submitted_review_is_shown_read_only(app, db, client, login_as, world):
    submit_scores(world.assignment, 4)
    db.session.commit()
    login_as(world.reviewer)
    page = text(client.get(_url(world.assignment)))
    assert "Save draft" not in page
    assert f'action="{fire_url(world.assignment, "reopen")}"' in page


def test_a_submitted_review_cannot_be_changed_without_reopening(app, db, client, login_as, world):
    submit_scores(world.assignment, 4)
    db.session.commit()
    login_as(world.reviewer)
    response = client.post(_url(world.assignment), data=form_data(value=1))
    assert response.status_code == 303
    assert set(_values(db, world.assignment).values()) == {4}


def _reopen(client, assignment):
    return client.post(
        fire_url(assignment, "reopen"), data={"version": assignment.version, "next": "/"}
    )


def test_a_reviewer_reopens_changes_and_resubmits(app, db, client, login_as, world):
    submit_scores(world.assignment, 4)
    db.session.commit()
    login_as(world.reviewer)
    _reopen(client, world.assignment)
    assert _stored(db, world.assignment).state == "reopened"
    client.post(_url(world.assignment), data=form_data(value=2, action="submit"))
    assert _stored(db, world.assignment).state == "submitted"
    assert set(_values(db, world.assignment).values()) == {2}


def _close_reviewing(call, how):
    if how == "deadline passed":
        call.review_deadline = utcnow() - timedelta(hours=1)
    else:
        call.state = how


CLOSED = ["deadline passed", "decided", "announced"]


@pytest.mark.parametrize("how", CLOSED)
def test_no_reopening_once_reviewing_is_over(app, db, client, login_as, world, how):
    submit_scores(world.assignment, 4)
    _close_reviewing(world.call, how)
    db.session.commit()
    login_as(world.reviewer)
    _reopen(client, world.assignment)
    assert _stored(db, world.assignment).state == "submitted"


@pytest.mark.parametrize("how", CLOSED)
@pytest.mark.parametrize("action", ["save", "submit"])
def test_no_scoring_once_reviewing_is_over(app, db, client, login_as, world, how, action):
    _close_reviewing(world.call, how)
    db.session.commit()
    login_as(world.reviewer)
    response = client.post(_url(world.assignment), data=form_data(value=4, action=action))
    assert response.status_code == 409
    assert _values(db, world.assignment) == {}
    assert _stored(db, world.assignment).state == "accepted"


def test_a_late_review_is_refused_with_the_deadline(app, db, client, login_as, world):
    world.call.opens_at = datetime(2020, 1, 1)
    world.call.closes_at = datetime(2020, 2, 1)
    world.call.review_deadline = datetime(2020, 3, 14, 12, 0)
    db.session.commit()
    login_as(world.reviewer)
    page = text(client.post(_url(world.assignment), data=form_data(value=4, action="submit")))
    with app.test_request_context():
        shown = str(escape(deadline(world.call.review_deadline)))
    assert f"The review deadline passed on {shown}." in page


def test_a_refused_late_review_gives_back_what_was_typed(app, db, client, login_as, world):
    _close_reviewing(world.call, "deadline passed")
    db.session.commit()
    login_as(world.reviewer)
    page = text(client.post(_url(world.assignment), data=form_data(value=4)))
    assert checked(page, "score_essential_1", "4")
    assert "Comment on essential_1" in page


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("deadline passed", "The review deadline passed on"),
        ("decided", "Reviewing is closed for this call."),
    ],
)
def test_after_reviewing_the_page_says_why_and_offers_no_form(
    app, db, client, login_as, world, how, message
):
    _close_reviewing(world.call, how)
    db.session.commit()
    login_as(world.reviewer)
    page = text(client.get(_url(world.assignment)))
    assert message in page
    assert "Save draft" not in page


@pytest.mark.parametrize("state", ["returned", "withdrawn", "recognised", "not_recognised"])
def test_no_scoring_once_the_nomination_left_review(app, db, client, login_as, world, state):
    move_nomination(world.nomination, state, world.officer)
    db.session.commit()
    login_as(world.reviewer)
    response = client.post(_url(world.assignment), data=form_data(value=4, action="submit"))
    assert response.status_code == 409
    assert _stored(db, world.assignment).state == "accepted"
    assert "This nomination is no longer under review." in text(response)


def test_nobody_else_scores_a_reviewer_s_assignment(app, db, client, login_as, world):
    login_as(world.officer)
    client.post(_url(world.assignment), data=form_data(value=1))
    assert _values(db, world.assignment) == {}


# -- an ended session or an expired form loses nothing ---------------------------------------


def test_a_signed_out_post_stores_nothing_and_sends_to_sign_in(app, db, client, world):
    data = form_data(value=4, comment_for_city="Typed while signed out")
    response = client.post(_url(world.assignment), data=data)
    assert response.status_code == 303
    assert "/login" in response.headers["Location"]
    assert _values(db, world.assignment) == {}
    with client.session_transaction() as session:  # nothing kept for later either
        kept = set(session) - {"_flashes", "csrf_token", "_fresh", "_permanent"}
        assert kept == set()
        assert "Typed while signed out" not in str(dict(session))


def test_a_post_from_another_site_is_never_given_back_after_sign_in(app, db, client, world):
    """Any site can make a signed-out browser post: what it sends must not end up in the
    reviewer's form (the reviewer's own typing is kept by the page's script, in the browser)."""
    client.post(_url(world.assignment), data=form_data(value=1, comment_for_city="Planted"))
    client.post(
        "/login",
        data={
            "email": world.reviewer.email,
            "password": factories.PASSWORD,
            "next": _url(world.assignment),
        },
    )
    page = text(client.get(_url(world.assignment)))
    assert not checked(page, "score_essential_1", "1")
    assert "Planted" not in page
    assert _values(db, world.assignment) == {}


def test_the_form_asks_the_browser_to_keep_what_is_typed(app, client, login_as, world):
    login_as(world.reviewer)
    page = text(client.get(_url(world.assignment)))
    assert f'data-keep-draft="{_url(world.assignment)}"' in page
    assert "data-draft-restored hidden" in page


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_with_csrf_a_valid_token_saves(app, db, client, login_as, world, csrf_on):
    login_as(world.reviewer)
    page = text(client.get(_url(world.assignment)))
    data = form_data(value=4, csrf_token=csrf_token(page))
    assert client.post(_url(world.assignment), data=data).status_code == 303
    assert set(_values(db, world.assignment).values()) == {4}


@pytest.mark.parametrize("token", ["", "expired-or-forged"])
def test_an_expired_form_saves_nothing_and_gives_back_what_was_typed(
    app, db, client, login_as, world, csrf_on, token
):
    login_as(world.reviewer)
    response = client.post(
        _url(world.assignment), data=form_data(value=4, csrf_token=token, comment_for_city="Mine")
    )
    page = text(response)
    assert response.status_code == 400
    assert "The form had expired" in page
    assert checked(page, "score_essential_1", "4") and "Mine" in page
    assert _values(db, world.assignment) == {}


# -- saved at the same moment elsewhere ------------------------------------------------------


def test_a_review_changed_elsewhere_meanwhile_is_given_back_not_lost(
    app, db, client, login_as, world, monkeypatch
):
    import recognition.review.views as views

    real_save = views.save_review

    def save_after_another_tab(assignment, data):
        # Another tab saves between this request's read and its write.
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE assignments SET version = version + 1 WHERE id = :id"),
                {"id": assignment.id},
            )
        real_save(assignment, data)

    monkeypatch.setattr(views, "save_review", save_after_another_tab)
    login_as(world.reviewer)
    response = client.post(_url(world.assignment), data=form_data(value=4, comment_for_city="Mine"))
    page = text(response)
    assert response.status_code == 409
    assert "changed by someone else" in page
    assert checked(page, "score_essential_1", "4") and "Mine" in page


def test_a_nul_character_in_a_comment_is_dropped_not_an_error(app, db, client, login_as, world):
    login_as(world.reviewer)
    data = form_data(comment_for_city="Good\x00 work", comment_essential_1="\x00Fine")
    assert client.post(_url(world.assignment), data=data).status_code == 303
    stored = _stored(db, world.assignment)
    assert (stored.comment_for_city, stored.score_for("essential_1").comment) == (
        "Good work",
        "Fine",
    )
