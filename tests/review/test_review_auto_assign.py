"""Automatic assignment of a whole call: N reviewers per nomination, balanced load, never a
known conflict, and a report saying who was skipped and why."""

from __future__ import annotations

from collections import Counter

import factories
import pytest
import sqlalchemy as sa
from review_support import text

from recognition.notifications.models import OutboxMessage
from recognition.review.models import Assignment


@pytest.fixture
def call_world(db):
    """A call wanting 2 reviewers per nomination, 3 nominations under review (Lyon, France;
    Nairobi, Kenya; Quito, Ecuador) and an officer. Reviewers are added by each test."""
    call = factories.make_call(state="reviewing", reviewers_per_nomination=2)
    nominations = [
        factories.make_nomination(
            call=call, city=factories.make_city(name=name, country=country), state="under_review"
        )
        for name, country in (("Lyon", "FR"), ("Nairobi", "KE"), ("Quito", "EC"))
    ]
    return call, nominations, factories.make_secretariat()


def _live(db, call) -> list[Assignment]:
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.state.in_(("invited", "accepted", "submitted", "reopened")))
            .where(Assignment.nomination.has(call_id=call.id))
            .order_by(Assignment.id)
        )
    )


def _auto(client, call):
    return client.post(f"/calls/{call.id}/auto-assign")


def test_every_nomination_gets_its_number_of_reviewers(app, db, client, login_as, call_world):
    call, nominations, officer = call_world
    for country in ("JP", "BR", "IN", "DE"):
        factories.make_reviewer(country=country)
    db.session.commit()
    login_as(officer)
    assert _auto(client, call).status_code == 200
    per_nomination = Counter(a.nomination_id for a in _live(db, call))
    assert per_nomination == {n.id: 2 for n in nominations}


def test_the_load_is_balanced_between_reviewers(app, db, client, login_as, call_world):
    # 3 nominations x 2 reviewers = 6 invitations over 3 reviewers: 2 each.
    call, nominations, officer = call_world
    reviewers = [factories.make_reviewer(country=c) for c in ("JP", "BR", "IN")]
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    load = Counter(a.reviewer_id for a in _live(db, call))
    assert load == {r.id: 2 for r in reviewers}


def test_existing_assignments_count_towards_the_load(app, db, client, login_as, call_world):
    # Busy already reviews Lyon; Lyon needs 1 more, Nairobi and Quito 2 each: 5 invitations.
    # Balanced: busy ends with 2 like the others (A, B), so busy gets only 1 new one.
    call, nominations, officer = call_world
    busy = factories.make_reviewer(name="Busy", country="JP")
    factories.make_assignment(nominations[0], busy, state="accepted")
    others = [factories.make_reviewer(country=c) for c in ("BR", "IN")]
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    load = Counter(a.reviewer_id for a in _live(db, call))
    assert load == {busy.id: 2, others[0].id: 2, others[1].id: 2}


def test_a_reviewer_with_a_conflict_is_never_assigned(app, db, client, login_as, call_world):
    call, nominations, officer = call_world
    french = factories.make_reviewer(country="FR")
    affiliated = factories.make_reviewer(country="JP", affiliations="Nairobi City County")
    for country in ("BR", "IN"):
        factories.make_reviewer(country=country)
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    pairs = {(a.nomination_id, a.reviewer_id) for a in _live(db, call)}
    assert (nominations[0].id, french.id) not in pairs
    assert (nominations[1].id, affiliated.id) not in pairs
    assert len(pairs) == 6


def test_the_report_says_who_was_skipped_and_why(app, db, client, login_as, call_world):
    call, nominations, officer = call_world
    factories.make_reviewer(name="Jean Dupont", country="FR")
    for country in ("BR", "IN"):
        factories.make_reviewer(country=country)
    db.session.commit()
    login_as(officer)
    page = text(_auto(client, call))
    assert "Skipped reviewers and why" in page
    assert "Jean Dupont: from the same country as the city" in page


def test_the_report_says_when_reviewers_are_missing(app, db, client, login_as, call_world):
    # Only one reviewer without a conflict for Lyon: one of the 2 is missing.
    call, nominations, officer = call_world
    factories.make_reviewer(country="FR")
    factories.make_reviewer(country="JP")
    db.session.commit()
    login_as(officer)
    page = text(_auto(client, call))
    assert "1 reviewer is still missing" in page
    lyon = Counter(a.nomination_id for a in _live(db, call))[nominations[0].id]
    assert lyon == 1


def test_the_report_counts_the_invitations(app, db, client, login_as, call_world):
    call, nominations, officer = call_world
    for country in ("JP", "BR"):
        factories.make_reviewer(country=country)
    db.session.commit()
    login_as(officer)
    assert "6 reviewers invited." in text(_auto(client, call))


def test_declined_and_conflicted_reviewers_are_replaced_not_asked_again(
    app, db, client, login_as, call_world
):
    call, nominations, officer = call_world
    decliner = factories.make_reviewer(country="JP")
    conflicted = factories.make_reviewer(country="BR")
    keeper = factories.make_reviewer(country="IN")
    fresh = factories.make_reviewer(country="DE")
    lyon = nominations[0]
    factories.make_assignment(lyon, decliner, state="declined")
    factories.make_assignment(lyon, conflicted, state="conflicted")
    factories.make_assignment(lyon, keeper, state="accepted")
    for other in nominations[1:]:
        factories.make_assignment(other, decliner, state="accepted")
        factories.make_assignment(other, conflicted, state="accepted")
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    lyon_live = {a.reviewer_id for a in _live(db, call) if a.nomination_id == lyon.id}
    assert lyon_live == {keeper.id, fresh.id}


def test_a_second_run_invites_nobody_when_every_nomination_is_covered(
    app, db, client, login_as, call_world
):
    call, nominations, officer = call_world
    for country in ("JP", "BR"):
        factories.make_reviewer(country=country)
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    page = text(_auto(client, call))
    assert "0 reviewers invited." in page
    assert len(_live(db, call)) == 6


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "withdrawn", "ineligible"])
def test_only_nominations_under_review_are_assigned(app, db, client, login_as, call_world, state):
    call, nominations, officer = call_world
    for n in nominations:
        n.state = state
    factories.make_reviewer(country="JP")
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    assert _live(db, call) == []


def test_each_invited_reviewer_is_notified(app, db, client, login_as, call_world):
    call, nominations, officer = call_world
    reviewers = [factories.make_reviewer(country=c) for c in ("JP", "BR")]
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    recipients = Counter(
        db.session.scalars(
            sa.select(OutboxMessage.recipient_id).where(OutboxMessage.template == "assignment")
        )
    )
    assert recipients == {r.id: 3 for r in reviewers}


def test_inactive_reviewers_are_not_assigned(app, db, client, login_as, call_world):
    call, nominations, officer = call_world
    retired = factories.make_reviewer(country="JP", active=False)
    factories.make_reviewer(country="BR")
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    assert retired.id not in {a.reviewer_id for a in _live(db, call)}


@pytest.mark.parametrize("who", ["reviewer", "focal"])
def test_only_the_secretariat_auto_assigns(app, db, client, login_as, call_world, who):
    call, nominations, officer = call_world
    users = {
        "reviewer": factories.make_reviewer(country="JP"),
        "focal": factories.make_focal_point(city=nominations[0].city),
    }
    db.session.commit()
    login_as(users[who])
    assert _auto(client, call).status_code == 403
    assert _live(db, call) == []
