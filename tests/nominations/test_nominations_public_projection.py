"""An announced nomination is public only as its projection: city, call, programme, the
decision and the answers and files of the fields the programme marks public. The whole file
(every answer and file, what changed, the history with its names and comments, the
reviewers' comments for the city) stays with the city, its assigned reviewers and the
secretariat (``view_file`` in nomination.yaml)."""

from __future__ import annotations

import dataclasses
import io
from types import SimpleNamespace

import factories
import pytest
from flask import current_app
from nominations_support import count_queries, pdf_bytes
from werkzeug.datastructures import FileStorage

from recognition.nominations.models import NominationSnapshot
from recognition.nominations.operations import attach
from recognition.timeutil import utcnow
from recognition.workflow.history import WorkflowEvent

PUBLIC_TEXT = "Our residents draw the flood maps with us."
PRIVATE_TEXTS = (
    "Essential one is where we are weakest, frankly.",  # a self-assessment narrative
    "Ministry of Confidential Affairs",  # who nominated the city
)
FOCAL_NAME = "Fatima Focalpoint"
OFFICER_NAME = "Olga Officer"
REVIEWER_NAME = "Rui Reviewer"
COMMENT_FOR_CITY = "The reviewers admire the early warning drills."
DECISION_COMMENT = "Decided at the jury meeting of 3 March."
SUBMIT_COMMENT = "Sent after the vote of the city council."


def _file(nomination, field, name, user):
    upload = FileStorage(stream=io.BytesIO(pdf_bytes(name)), filename=name)
    return attach(nomination, field, upload, user)


@pytest.fixture
def announced(db):
    """Lyon's Role Model City nomination, recognised and announced with its call: public and
    private answers, a letter, a history naming the focal point and the officer, a review
    with a comment for the city, and two submissions to compare (committed)."""
    now = utcnow()
    call = factories.make_call(
        state="announced",
        title="Role Model City 2025",
        announced_at=now,
        announcement={"en": "Lyon is a Role Model City."},
    )
    focal = factories.make_user(name=FOCAL_NAME)
    city = factories.make_city(name="Lyon", members=[focal])
    officer = factories.make_secretariat(name=OFFICER_NAME)
    nomination = factories.make_nomination(
        call=call,
        city=city,
        state="announced",
        answers={
            "motivation": PUBLIC_TEXT,
            "population": "520000",
            "essentials__1__narrative": PRIVATE_TEXTS[0],
            "nominator_name": PRIVATE_TEXTS[1],
        },
        areas_of_strength=[1, 2, 3, 4, 5],
        decided_by_id=officer.id,
        decided_at=now,
        decision_comment=DECISION_COMMENT,
        announced_at=now,
    )
    letter = _file(nomination, "motivation_letter", "mayor-signed-letter.pdf", focal)
    evidence = _file(nomination, "essentials__1__evidence", "internal-audit.pdf", focal)
    reviewer = factories.make_reviewer(name=REVIEWER_NAME)
    factories.make_assignment(
        nomination,
        reviewer,
        state="submitted",
        recommendation="recommend",
        comment_for_city=COMMENT_FOR_CITY,
    )
    for number in (1, 2):
        db.session.add(
            NominationSnapshot(
                nomination_id=nomination.id,
                number=number,
                answers={"motivation": f"Version {number}"},
                files=[],
            )
        )
    for transition, source, target, actor, comment in (
        ("submit", "draft", "submitted", focal, SUBMIT_COMMENT),
        ("recognise", "under_review", "recognised", officer, DECISION_COMMENT),
    ):
        db.session.add(
            WorkflowEvent(
                workflow="nomination",
                object_type="nomination",
                object_id=nomination.id,
                transition=transition,
                from_state=source,
                to_state=target,
                actor_id=actor.id,
                comment=comment,
            )
        )
    other_city_focal = factories.make_focal_point(name="Other City Focal")
    viewers = {
        "owner": focal,
        "assigned reviewer": reviewer,
        "secretariat": officer,
        "stranger": factories.make_user(name="Self Registered"),
        "another city": other_city_focal,
        "unassigned reviewer": factories.make_reviewer(name="Not Assigned"),
        "anonymous": None,
    }
    db.session.commit()
    return SimpleNamespace(nomination=nomination, letter=letter, evidence=evidence, viewers=viewers)


WHOLE_FILE = ["owner", "assigned reviewer", "secretariat"]
PROJECTION = ["stranger", "another city", "unassigned reviewer", "anonymous"]


def _as(login_as, announced, viewer):
    return login_as(announced.viewers[viewer])


def _download(client, nomination, attachment):
    """GET a file; the body read and the response closed (its file handle with it)."""
    response = client.get(f"/nominations/{nomination.id}/files/{attachment.id}")
    body = response.get_data()
    response.close()
    return response, body


def _page(client, announced) -> str:
    response = client.get(f"/nominations/{announced.nomination.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("viewer", PROJECTION)
def test_the_public_sees_the_public_answers_and_the_decision(client, login_as, announced, viewer):
    _as(login_as, announced, viewer)
    page = _page(client, announced)
    assert "Lyon" in page and "Role Model City 2025" in page
    assert PUBLIC_TEXT in page
    assert "520,000" in page  # the city profile is public too
    assert "Essential 1: organisation and coordination" in page  # an area of strength


@pytest.mark.parametrize("viewer", PROJECTION)
def test_the_public_sees_nothing_of_the_whole_file(client, login_as, announced, viewer):
    _as(login_as, announced, viewer)
    page = _page(client, announced)
    for private in (
        *PRIVATE_TEXTS,
        "mayor-signed-letter.pdf",
        "internal-audit.pdf",
        f"/files/{announced.letter.id}",
        FOCAL_NAME,
        OFFICER_NAME,
        REVIEWER_NAME,
        COMMENT_FOR_CITY,
        DECISION_COMMENT,
        SUBMIT_COMMENT,
        'id="history-heading"',
        "/changes",
    ):
        assert private not in page, private


@pytest.mark.parametrize("viewer", PROJECTION)
@pytest.mark.parametrize("attachment", ["letter", "evidence"])
def test_the_public_cannot_download_a_private_file(client, login_as, announced, viewer, attachment):
    _as(login_as, announced, viewer)
    response, body = _download(client, announced.nomination, getattr(announced, attachment))
    if viewer == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    else:
        assert response.status_code == 404
    assert b"%PDF" not in body


@pytest.mark.parametrize("viewer", PROJECTION)
def test_the_public_cannot_see_what_changed(client, login_as, announced, viewer):
    _as(login_as, announced, viewer)
    response = client.get(f"/nominations/{announced.nomination.id}/changes")
    if viewer == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    else:
        assert response.status_code == 403
    assert b"Version 1" not in response.get_data()


@pytest.mark.parametrize("viewer", WHOLE_FILE)
def test_the_city_its_reviewers_and_the_secretariat_see_the_whole_file(
    client, login_as, announced, viewer
):
    _as(login_as, announced, viewer)
    page = _page(client, announced)
    for whole in (
        PUBLIC_TEXT,
        *PRIVATE_TEXTS,
        "mayor-signed-letter.pdf",
        "internal-audit.pdf",
        COMMENT_FOR_CITY,
        DECISION_COMMENT,
        SUBMIT_COMMENT,
        'id="history-heading"',
    ):
        assert whole in page, whole


@pytest.mark.parametrize("viewer", ["owner", "secretariat"])
def test_the_history_names_the_focal_point_to_the_whole_file(client, login_as, announced, viewer):
    _as(login_as, announced, viewer)
    assert FOCAL_NAME in _page(client, announced)


@pytest.mark.parametrize("viewer", WHOLE_FILE)
@pytest.mark.parametrize("attachment", ["letter", "evidence"])
def test_the_whole_file_downloads_every_file(client, login_as, announced, viewer, attachment):
    _as(login_as, announced, viewer)
    response, body = _download(client, announced.nomination, getattr(announced, attachment))
    assert response.status_code == 200
    assert body.startswith(b"%PDF")


@pytest.mark.parametrize("viewer", WHOLE_FILE)
def test_the_whole_file_shows_what_changed(client, login_as, announced, viewer):
    _as(login_as, announced, viewer)
    response = client.get(f"/nominations/{announced.nomination.id}/changes")
    assert response.status_code == 200
    assert "Version 1" in response.get_data(as_text=True)


@pytest.fixture
def letter_made_public(app, monkeypatch):
    """The Role Model City programme with its motivation letter marked public."""
    programmes = current_app.extensions["programmes"]
    programme = programmes["role_model_city"]
    sections = tuple(
        dataclasses.replace(
            section,
            fields=tuple(
                dataclasses.replace(f, public=True) if f.id == "motivation_letter" else f
                for f in section.fields
            ),
        )
        for section in programme.sections
    )
    monkeypatch.setitem(
        programmes, "role_model_city", dataclasses.replace(programme, sections=sections)
    )


@pytest.mark.parametrize("viewer", PROJECTION)
def test_a_file_of_a_public_field_is_public(
    client, login_as, announced, letter_made_public, viewer
):
    _as(login_as, announced, viewer)
    page = _page(client, announced)
    assert "mayor-signed-letter.pdf" in page
    assert "internal-audit.pdf" not in page
    response, body = _download(client, announced.nomination, announced.letter)
    assert response.status_code == 200 and body.startswith(b"%PDF")
    response, body = _download(client, announced.nomination, announced.evidence)
    assert response.status_code == (302 if viewer == "anonymous" else 404)


@pytest.mark.parametrize("viewer", ["stranger", "anonymous"])
def test_an_announced_nomination_of_an_unannounced_call_stays_private(
    db, client, login_as, announced, viewer
):
    """As on the public pages: public only once its call is announced too."""
    announced.nomination.call.state = "decided"
    db.session.commit()
    _as(login_as, announced, viewer)
    response = client.get(f"/nominations/{announced.nomination.id}")
    assert response.status_code == (302 if viewer == "anonymous" else 404)
    assert PUBLIC_TEXT not in response.get_data(as_text=True)


@pytest.mark.parametrize("viewer", ["stranger", "anonymous"])
def test_a_private_nomination_asks_a_visitor_to_sign_in_whether_it_exists_or_not(
    db, client, login_as, viewer
):
    draft = factories.make_nomination(state="draft")
    db.session.commit()
    login_as(None if viewer == "anonymous" else factories.make_user())
    db.session.commit()
    expected = 302 if viewer == "anonymous" else 404
    for nomination_id in (draft.id, draft.id + 1000):
        response = client.get(f"/nominations/{nomination_id}")
        assert response.status_code == expected
        if expected == 302:
            assert "/login" in response.location


def test_the_public_page_costs_the_same_queries_for_many_files(
    db, client, login_as, announced, letter_made_public
):
    def queries() -> int:
        with count_queries() as statements:
            _page(client, announced)
        return len(statements)

    login_as(None)
    few = queries()
    focal = announced.viewers["owner"]
    for n in range(5):
        _file(announced.nomination, "motivation_letter", f"letter-{n}.pdf", focal)
    db.session.commit()
    assert queries() == few
