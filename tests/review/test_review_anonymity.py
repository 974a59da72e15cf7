"""No page, file name, export or e-mail a city can reach names a reviewer or gives their
e-mail address: the city's pages are crawled in every state of its nomination, through a
whole journey driven by the real pages (assignment, answers to invitations, scoring,
decision, announcement), and every message queued for the city's users is read."""

from __future__ import annotations

import io

import factories
import pytest
import sqlalchemy as sa
from review_support import form_data, move_nomination, submit_scores, text

from recognition.extensions import db as _db
from recognition.nominations.models import Attachment, Nomination
from recognition.notifications.models import OutboxMessage
from recognition.review.models import Assignment
from recognition.workflow.engine import fire

REVIEWERS = (
    ("Wanjiru Kamau", "wanjiru@reviewers.example"),
    ("Chen Wei", "chen.wei@reviewers.example"),
    ("Declan Murphy", "declan@reviewers.example"),
    ("Conrad Schulz", "conrad@reviewers.example"),
)


@pytest.fixture
def journey(db):
    """A submitted nomination of Lyon with evidence, four reviewers, an officer."""
    call = factories.make_call(state="reviewing", reviewers_per_nomination=2)
    focal = factories.make_user(name="Focal Person", email="focal@lyon.example")
    city = factories.make_city(name="Lyon", country="FR", members=[focal])
    nomination = factories.make_nomination(
        call=call, city=city, state="submitted", answers={"motivation": "We plan ahead."}
    )
    db.session.add(
        Attachment(
            nomination=nomination,
            field="motivation_letter",
            filename="mayor-letter.pdf",
            sha256="c" * 64,
            mime="application/pdf",
            size=100,
        )
    )
    reviewers = [
        factories.make_reviewer(name=name, email=email, country="JP") for name, email in REVIEWERS
    ]
    officer = factories.make_secretariat()
    db.session.commit()
    return call, nomination, focal, reviewers, officer


def _city_urls(client, nomination, focal) -> list[str]:
    messages = _db.session.scalars(
        sa.select(OutboxMessage.id).where(OutboxMessage.recipient_id == focal.id)
    ).all()
    assignments = _db.session.scalars(
        sa.select(Assignment.id).where(Assignment.nomination_id == nomination.id)
    ).all()
    files = _db.session.scalars(
        sa.select(Attachment.id).where(Attachment.nomination_id == nomination.id)
    ).all()
    return [
        "/",
        "/nominations",
        f"/nominations/{nomination.id}",
        f"/nominations/{nomination.id}/changes",
        f"/nominations/{nomination.id}/certificate.pdf",
        "/notifications",
        *[f"/notifications/{m}" for m in messages],
        *[f"/reviews/{a}" for a in assignments],
        "/reviews",
        "/calls",
        f"/calls/{nomination.call_id}",
        "/recognised",
        f"/recognised/cities/{nomination.city_id}",
        f"/announcements/{nomination.call_id}",
        "/feed.atom",
        *[f"/nominations/{nomination.id}/files/{f}" for f in files],
        *[f"/secretariat/calls/{nomination.call_id}/export/{k}.csv" for k in ("scores", "history")],
        f"/secretariat/calls/{nomination.call_id}/export.xlsx",
        f"/secretariat/calls/{nomination.call_id}/dashboard",
        f"/secretariat/calls/{nomination.call_id}/ranking",
    ]


def _readable(response) -> str:
    """Everything a person could read in a response: headers (file names) and body."""
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    body = response.get_data()
    if response.mimetype == "application/pdf":
        from pypdf import PdfReader

        content = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    else:
        content = body.decode("utf-8", errors="replace")
    return headers + "\n" + content


def _assert_city_sees_no_reviewer(client, login_as, nomination, focal, reviewers) -> int:
    """Crawl as the focal point; return the number of pages read."""
    login_as(focal)
    urls = _city_urls(client, nomination, focal)
    for url in urls:
        response = client.get(url)
        assert response.status_code != 500, url
        readable = _readable(response)
        for reviewer in reviewers:
            assert reviewer.name not in readable, url
            assert reviewer.email not in readable, url
    for message in _db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient_id == focal.id)
    ):
        sent = " ".join(
            (message.to_email, message.subject, message.body_text, message.body_html, message.link)
        )
        for reviewer in reviewers:
            assert reviewer.name not in sent and reviewer.email not in sent
    return len(urls)


def _fire(client, workflow, obj, transition, comment="", **extra):
    response = client.post(
        f"/workflow/{workflow}/{obj.id}/{transition}",
        data={"comment": comment, "version": obj.version, "next": "/", **extra},
    )
    assert response.status_code == 302
    return response


def test_the_city_never_sees_a_reviewer_through_the_whole_journey(
    app, db, client, login_as, journey
):
    call, nomination, focal, reviewers, officer = journey
    crawled = _assert_city_sees_no_reviewer(client, login_as, nomination, focal, reviewers)

    # The secretariat accepts the nomination for review and invites the four reviewers.
    login_as(officer)
    _fire(client, "nomination", nomination, "accept")
    for reviewer in reviewers:
        client.post(f"/nominations/{nomination.id}/assign", data={"reviewer": reviewer.id})
    assignments = {
        a.reviewer_id: a
        for a in db.session.scalars(
            sa.select(Assignment).where(Assignment.nomination_id == nomination.id)
        )
    }
    assert len(assignments) == 4
    crawled += _assert_city_sees_no_reviewer(client, login_as, nomination, focal, reviewers)

    # Two review and comment for the city; one declines; one declares a conflict.
    wanjiru, chen, declan, conrad = reviewers
    for reviewer in (wanjiru, chen):
        login_as(reviewer)
        assignment = assignments[reviewer.id]
        _fire(client, "review", assignment, "accept")
        db.session.refresh(assignment)
        data = form_data(
            value=4,
            action="submit",
            comment_for_city=f"Impressive early warning work (review {reviewer.id})",
            comment_confidential="Between us: strong",
        )
        assert client.post(f"/reviews/{assignment.id}", data=data).status_code == 303
    login_as(declan)
    _fire(client, "review", assignments[declan.id], "decline", "Too busy this month")
    login_as(conrad)
    _fire(client, "review", assignments[conrad.id], "declare_conflict", "I advised the mayor")
    crawled += _assert_city_sees_no_reviewer(client, login_as, nomination, focal, reviewers)

    # The secretariat recognises the nomination, closes reviewing and announces.
    login_as(officer)
    response = client.post(
        f"/secretariat/nominations/{nomination.id}/decide",
        data={
            "outcome": "recognise",
            "areas": ["1", "2", "3", "4", "5"],
            "comment": "Congratulations",
        },
    )
    assert response.status_code == 302
    assert db.session.get(Nomination, nomination.id).state == "recognised"
    crawled += _assert_city_sees_no_reviewer(client, login_as, nomination, focal, reviewers)
    login_as(focal)
    page = text(client.get(f"/nominations/{nomination.id}"))
    # Under embargo until the call is announced: no outcome, no comments yet.
    assert f"Impressive early warning work (review {wanjiru.id})" not in page

    call = db.session.get(type(call), call.id)
    fire(call, "close_review", officer)
    call.announcement = {"en": "Lyon is a Role Model City."}
    fire(call, "announce", officer)
    db.session.commit()
    assert db.session.get(Nomination, nomination.id).state == "announced"
    crawled += _assert_city_sees_no_reviewer(client, login_as, nomination, focal, reviewers)
    login_as(focal)
    page = text(client.get(f"/nominations/{nomination.id}"))
    assert f"Impressive early warning work (review {wanjiru.id})" in page
    assert crawled > 100
    subjects = db.session.scalars(
        sa.select(OutboxMessage.subject).where(OutboxMessage.recipient_id == focal.id)
    ).all()
    assert "Your nomination is recognised" in subjects


@pytest.mark.parametrize(
    "state",
    [
        "under_review",
        "shortlisted",
        "returned",
        "recognised",
        "not_recognised",
        "announced",
        "withdrawn",
    ],
)
def test_the_city_s_pages_name_no_reviewer_in_any_state(app, db, client, login_as, journey, state):
    call, nomination, focal, reviewers, officer = journey
    for reviewer, review_state in zip(
        reviewers, ("submitted", "submitted", "declined", "conflicted"), strict=True
    ):
        assignment = factories.make_assignment(nomination, reviewer, state="accepted")
        if review_state == "submitted":
            submit_scores(assignment, 4)
            assignment.comment_for_city = "A comment for the city"
        elif review_state == "conflicted":
            assignment.conflict_reason = "Advised the mayor"
            assignment.state = "conflicted"
        else:
            assignment.state = review_state
    if state == "announced":
        call.state = "announced"
    move_nomination(nomination, state, officer)
    db.session.commit()
    _assert_city_sees_no_reviewer(client, login_as, nomination, focal, reviewers)


def test_after_the_decision_the_city_reads_the_comments_without_names(
    app, db, client, login_as, journey
):
    call, nomination, focal, reviewers, officer = journey
    for reviewer in reviewers[:2]:
        assignment = factories.make_assignment(nomination, reviewer, state="accepted")
        submit_scores(assignment, 4)
        assignment.comment_for_city = f"Comment by the reviewer number {reviewer.id}"
        assignment.comment_confidential = "Not for the city"
    move_nomination(nomination, "not_recognised", officer)
    db.session.commit()
    login_as(focal)
    page = text(client.get(f"/nominations/{nomination.id}"))
    assert "Comment by the reviewer number" not in page  # not before the announcement
    call.state = "announced"
    db.session.commit()
    page = text(client.get(f"/nominations/{nomination.id}"))
    for reviewer in reviewers[:2]:
        assert f"Comment by the reviewer number {reviewer.id}" in page
    assert "Not for the city" not in page
