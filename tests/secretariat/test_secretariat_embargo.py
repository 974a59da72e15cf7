"""A decision is the secretariat's until the call is announced: the city and the reviewers see
the nomination as still under review — no outcome, no decision in the history, no comments,
no certificate, no message — and learn it all with the announcement."""

from __future__ import annotations

import re

import pytest
from secretariat_support import submit_review

from recognition.extensions import db as _db
from recognition.notifications.models import OutboxMessage
from recognition.programmes.models import Call

FIVE = ["1", "2", "3", "4", "5"]
DECISION_TEXT = "The early warning work of Lyon stands out."
COMMENT = "Impressive drills in every district."


def text(response) -> str:
    return response.get_data(as_text=True)


def badge(html: str) -> str:
    """The state shown in the nomination's state menu."""
    return re.search(
        r'class="h5 card-title"[^>]*>.*?<span class="badge[^"]*">([^<]+)</span>', html, re.S
    ).group(1)


@pytest.fixture
def decided(db, world, login_as, officer):
    """Lyon's nomination reviewed (a comment for the city) and recognised by the secretariat
    through the decision form; the call is still being reviewed."""
    review = submit_review(world.nomination, 5)
    review.comment_for_city = COMMENT
    db.session.commit()
    response = login_as(officer).post(
        f"/secretariat/nominations/{world.nomination.id}/decide",
        data={"outcome": "recognise", "areas": FIVE, "comment": DECISION_TEXT},
    )
    assert response.status_code == 302
    world.reviewer = review.reviewer
    return world


def test_the_city_sees_its_decided_nomination_as_under_review(client, login_as, decided):
    login_as(decided.focal)
    html = text(client.get(f"/nominations/{decided.nomination.id}"))
    assert badge(html) == "Under review"
    assert 'id="outcome-heading"' not in html
    assert DECISION_TEXT not in html
    assert COMMENT not in html
    assert "Recognise" not in html.split('id="history-heading"')[1]
    assert "certificate.pdf" not in html


def test_the_city_s_list_and_certificate_keep_the_decision_too(client, login_as, decided):
    login_as(decided.focal)
    mine = text(client.get("/nominations"))
    assert "Under review" in mine
    assert ">Recognised<" not in mine
    certificate = client.get(f"/nominations/{decided.nomination.id}/certificate.pdf")
    assert certificate.status_code in (403, 404)


def test_the_reviewer_sees_it_under_review_too(client, login_as, decided):
    login_as(decided.reviewer)
    html = text(client.get(f"/nominations/{decided.nomination.id}"))
    assert badge(html) == "Under review"
    assert DECISION_TEXT not in html


def test_no_message_goes_out_before_the_announcement(decided):
    assert _db.session.query(OutboxMessage).filter_by(to_email="focal@lyon.example").count() == 0


def test_the_secretariat_sees_the_decision(client, login_as, officer, decided):
    login_as(officer)
    html = text(client.get(f"/nominations/{decided.nomination.id}"))
    assert badge(html) == "Recognised"
    assert DECISION_TEXT in html


def test_the_announcement_lifts_the_embargo(client, login_as, officer, decided):
    call = _db.session.get(Call, decided.call.id)
    call.announcement = {"en": "Lyon is a Role Model City."}
    _db.session.commit()
    as_officer = login_as(officer)
    for transition in ("close_review", "announce"):
        response = as_officer.post(
            f"/workflow/call/{call.id}/{transition}",
            data={"next": "/", "confirmed": "y", "version": _db.session.get(Call, call.id).version},
        )
        assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Call, call.id).state == "announced"

    login_as(decided.focal)
    html = text(client.get(f"/nominations/{decided.nomination.id}"))
    outcome = html.split('id="outcome-heading"')[1].split("</section>")[0]
    assert ">Recognised<" in outcome
    assert DECISION_TEXT in outcome
    assert "certificate.pdf" in outcome
    assert COMMENT in html
    assert client.get(f"/nominations/{decided.nomination.id}/certificate.pdf").status_code == 200
    [message] = _db.session.query(OutboxMessage).filter_by(to_email="focal@lyon.example").all()
    assert message.subject == "Your nomination is recognised"
