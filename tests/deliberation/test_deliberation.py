"""The panel's discussion of a nomination in a round: who reads it, who writes in it, how
reviewers are named to each other, mentions by e-mail, the consensus the secretariat
records. Cities and reviewers outside the round never see it."""

from __future__ import annotations

from types import SimpleNamespace

import factories
import pytest
import sqlalchemy as sa

from recognition.extensions import db as _db
from recognition.notifications.models import OutboxMessage
from recognition.review.models import Consensus, Post, Score

SECRET = "Our view: the sustainability evidence is thin."


def submit_scores(assignment, value: int) -> None:
    for criterion in assignment.nomination.programme.round(assignment.round).rubric.criteria:
        assignment.scores.append(Score(criterion=criterion.id, value=value))
    assignment.recommendation = "recommend"
    _db.session.flush()


@pytest.fixture
def longlist(db):
    """A Sasakawa nomination in the longlist (a round with a discussion): two longlist
    reviewers who submitted, one who has not yet, a reviewer of the technical round, the
    nominated city's focal point and a secretariat officer."""
    call = factories.make_call(programme_id="sasakawa_award", state="reviewing")
    focal = factories.make_user(name="Focal Person")
    city = factories.make_city(name="Lima", country="PE", members=[focal])
    nomination = factories.make_nomination(call=call, city=city, state="longlisted")
    people = SimpleNamespace(nomination=nomination, focal=focal)
    people.officer = factories.make_secretariat(name="Olga Officer")
    people.technical = factories.make_reviewer(name="Tariq Technical")
    technical = factories.make_assignment(
        nomination, people.technical, state="submitted", round="review"
    )
    submit_scores(technical, 4)
    for name in ("ana", "ben"):
        reviewer = factories.make_reviewer(name=f"{name.title()} Longlist")
        assignment = factories.make_assignment(
            nomination, reviewer, state="submitted", round="longlist"
        )
        submit_scores(assignment, 3)
        setattr(people, name, reviewer)
        setattr(people, f"{name}_assignment", assignment)
    people.late = factories.make_reviewer(name="Lea Late")
    people.late_assignment = factories.make_assignment(
        nomination, people.late, state="accepted", round="longlist"
    )
    people.stranger = factories.make_reviewer(name="Sam Stranger")
    db.session.commit()
    return people


def post(client, nomination, body=SECRET, round_id="longlist", **extra):
    return client.post(
        f"/nominations/{nomination.id}/discussion/{round_id}",
        data={"d-longlist-body": body, **extra},
    )


def posts():
    return list(_db.session.scalars(sa.select(Post).order_by(Post.id)))


def test_a_panel_member_who_submitted_writes_and_reads_the_discussion(longlist, client, login_as):
    login_as(longlist.ana)
    response = post(client, longlist.nomination)
    assert response.status_code == 302
    [message] = posts()
    assert (message.author_id, message.round, message.body) == (longlist.ana.id, "longlist", SECRET)
    page = client.get(f"/reviews/{longlist.ana_assignment.id}").get_data(as_text=True)
    assert SECRET in page
    assert "Discussion of the panel: Longlist" in page


def test_reviewers_see_each_other_by_letter_the_secretariat_by_name(longlist, client, login_as):
    login_as(longlist.ana)
    post(client, longlist.nomination)
    login_as(longlist.ben)
    page = client.get(f"/reviews/{longlist.ben_assignment.id}").get_data(as_text=True)
    assert SECRET in page and "Reviewer A" in page
    assert "Ana Longlist" not in page
    login_as(longlist.officer)
    page = client.get(f"/nominations/{longlist.nomination.id}").get_data(as_text=True)
    assert SECRET in page and "Reviewer A (Ana Longlist)" in page


@pytest.mark.parametrize("who", ["late", "technical", "stranger", "focal"])
def test_nobody_outside_the_rounds_panel_reads_or_writes(longlist, client, login_as, who):
    login_as(longlist.ana)
    post(client, longlist.nomination)
    login_as(getattr(longlist, who))
    assert post(client, longlist.nomination, body="Let me in").status_code == 404
    assert [p.body for p in posts()] == [SECRET]
    page = client.get(f"/nominations/{longlist.nomination.id}").get_data(as_text=True)
    assert SECRET not in page and "Discussion of the panel" not in page
    if who in ("late", "technical"):
        assignment = getattr(longlist, f"{who}_assignment", None) or _db.session.scalar(
            sa.select(type(longlist.ana_assignment)).where(
                type(longlist.ana_assignment).reviewer_id == longlist.technical.id
            )
        )
        page = client.get(f"/reviews/{assignment.id}").get_data(as_text=True)
        assert SECRET not in page


def test_a_round_without_a_discussion_has_none(longlist, client, login_as):
    login_as(longlist.technical)
    response = client.post(
        f"/nominations/{longlist.nomination.id}/discussion/review",
        data={"d-review-body": "Hello"},
    )
    assert response.status_code == 404
    assert posts() == []


def test_anonymous_visitors_are_sent_to_sign_in(longlist, client):
    response = post(client, longlist.nomination)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert posts() == []


def test_a_mention_tells_only_the_mentioned_member_by_e_mail(longlist, client, login_as):
    login_as(longlist.ana)
    post(client, longlist.nomination, **{"d-longlist-mention": ["B"]})
    told = _db.session.scalars(sa.select(OutboxMessage.to_email)).all()
    assert told == [longlist.ben.email]
    message = _db.session.scalar(sa.select(OutboxMessage))
    assert "Ana" not in message.body_text and SECRET not in message.body_text


def test_an_empty_message_is_refused_with_a_reason(longlist, client, login_as):
    login_as(longlist.ana)
    response = post(client, longlist.nomination, body="   ")
    assert response.status_code == 302
    assert posts() == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This field is required." in page


def test_the_secretariat_records_the_consensus(longlist, client, login_as):
    login_as(longlist.officer)
    response = client.post(
        f"/nominations/{longlist.nomination.id}/discussion/longlist/consensus",
        data={"c-longlist-score": "3.5", "c-longlist-statement": "Strong results, thin plans."},
    )
    assert response.status_code == 302
    consensus = _db.session.get(Consensus, (longlist.nomination.id, "longlist"))
    assert (consensus.score, consensus.statement) == (3.5, "Strong results, thin plans.")
    page = client.get(f"/nominations/{longlist.nomination.id}").get_data(as_text=True)
    assert "Strong results, thin plans." in page


def test_a_consensus_score_off_the_scale_is_refused(longlist, client, login_as):
    login_as(longlist.officer)
    client.post(
        f"/nominations/{longlist.nomination.id}/discussion/longlist/consensus",
        data={"c-longlist-score": "99", "c-longlist-statement": "Too high"},
    )
    assert _db.session.get(Consensus, (longlist.nomination.id, "longlist")) is None


def test_a_reviewer_cannot_record_the_consensus(longlist, client, login_as):
    login_as(longlist.ana)
    response = client.post(
        f"/nominations/{longlist.nomination.id}/discussion/longlist/consensus",
        data={"c-longlist-statement": "We agree"},
    )
    assert response.status_code == 403
    assert _db.session.get(Consensus, (longlist.nomination.id, "longlist")) is None
