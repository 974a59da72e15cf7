"""Who reads a letter: confidential letters show the authors that they arrived, never what
they say; the secretariat and the assigned reviewers read them; a reviewer not assigned sees
nothing. A letter's own page is its nomination's letters panel."""

from __future__ import annotations

import factories
import pytest
from letters_support import ask_letter, pdf_bytes, text, upload

from recognition.letters.operations import receive, store_pdf
from recognition.workflow.registry import page_of

LETTER = "The risk maps of Makati changed how we plan."


@pytest.fixture
def received(world, db):
    """A received letter (text and PDF) for each programme: Sasakawa's confidential, the Role
    Model City's not; both nominations under review, ``reviewer`` assigned to both."""
    letters = {}
    for name, field in (("sasakawa", "referee_letters"), ("rmc", "endorsements")):
        nomination = getattr(world, name)
        letter, token = ask_letter(nomination, field, world.focal)
        stored = store_pdf(upload(pdf_bytes(name), "support.pdf"))
        receive(letter, token, LETTER, stored)
        nomination.state, nomination.submitted_at = "under_review", nomination.created_at
        factories.make_assignment(nomination, world.reviewer, state="accepted")
        letters[name] = letter
    db.session.commit()
    return letters


def nomination_page(client, letter):
    return client.get(f"/nominations/{letter.nomination_id}")


def download(client, letter):
    """The download's response, its body read and the file closed."""
    response = client.get(f"/nominations/letters/{letter.id}/file")
    response.get_data()
    response.close()
    return response


def test_the_authors_see_a_confidential_letter_arrived_not_what_it_says(
    received, world, client, login_as
):
    letter = received["sasakawa"]
    login_as(world.focal)
    page = text(nomination_page(client, letter))
    assert "Received on" in page and "Rania Referee" in page
    assert LETTER not in page and f"/nominations/letters/{letter.id}/file" not in page
    assert download(client, letter).status_code == 403


@pytest.mark.parametrize("who", ["officer", "reviewer"])
def test_the_secretariat_and_an_assigned_reviewer_read_it(received, world, client, login_as, who):
    letter = received["sasakawa"]
    login_as(getattr(world, who))
    page = text(nomination_page(client, letter))
    assert LETTER in page
    response = download(client, letter)
    assert response.status_code == 200
    assert response.data == pdf_bytes("sasakawa")
    assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["other_reviewer", "stranger"])
def test_a_reviewer_not_assigned_and_another_city_see_nothing(
    received, world, client, login_as, who
):
    letter = received["sasakawa"]
    login_as(getattr(world, who))
    assert nomination_page(client, letter).status_code == 404
    assert download(client, letter).status_code == 404
    assert client.get(f"/nominations/letters/{letter.id}").status_code == 404


def test_a_visitor_is_asked_to_sign_in(received, client):
    assert download(client, received["sasakawa"]).status_code == 302


def test_the_authors_read_letters_the_programme_does_not_keep_confidential(
    received, world, client, login_as
):
    letter = received["rmc"]
    login_as(world.focal)
    assert LETTER in text(nomination_page(client, letter))
    assert download(client, letter).status_code == 200


def test_a_reviewer_whose_assignment_ended_reads_no_more(received, world, client, login_as, db):
    from recognition.review.models import Assignment

    for assignment in db.session.scalars(db.select(Assignment)):
        assignment.state = "declined"
    db.session.commit()
    login_as(world.reviewer)
    assert download(client, received["sasakawa"]).status_code == 404


def test_the_letters_page_is_its_nominations_panel(received, world, client, login_as, app):
    letter = received["sasakawa"]
    login_as(world.officer)
    response = client.get(f"/nominations/letters/{letter.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/nominations/{letter.nomination_id}#letter-{letter.id}"
    )
    with app.test_request_context():
        assert page_of("letter", letter.id) == f"/nominations/letters/{letter.id}"
