"""The secretariat assigns reviewers by hand; known conflicts are refused and explained."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from review_support import move_nomination, page_queries, text

from recognition.notifications.models import OutboxMessage
from recognition.review.models import Assignment


def _assignments(db, nomination):
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.nomination_id == nomination.id)
            .order_by(Assignment.id)
        )
    )


def _assign(client, nomination, reviewer_id):
    return client.post(f"/nominations/{nomination.id}/assign", data={"reviewer": reviewer_id})


def test_the_secretariat_invites_a_reviewer(app, db, client, login_as, world):
    newcomer = factories.make_reviewer(name="Aiko Tanaka", country="JP")
    db.session.commit()
    login_as(world.officer)
    response = _assign(client, world.nomination, newcomer.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/nominations/{world.nomination.id}")
    invited = _assignments(db, world.nomination)[-1]
    assert (invited.reviewer_id, invited.state, invited.assigned_by_id) == (
        newcomer.id,
        "invited",
        world.officer.id,
    )


def test_an_invited_reviewer_gets_an_e_mail_with_a_link_to_the_review(
    app, db, client, login_as, world
):
    newcomer = factories.make_reviewer(country="JP")
    db.session.commit()
    login_as(world.officer)
    _assign(client, world.nomination, newcomer.id)
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.recipient_id == newcomer.id)
    )
    invited = _assignments(db, world.nomination)[-1]
    assert message.link.endswith(f"/reviews/{invited.id}")
    assert "Lyon" in message.body_text


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"country": "FR"}, "from the same country as the city"),
        ({"country": "JP", "affiliations": "Métropole de Lyon"}, "affiliation with Lyon"),
    ],
)
def test_a_reviewer_with_a_known_conflict_is_refused_with_the_reason(
    app, db, client, login_as, world, fields, reason
):
    conflicted = factories.make_reviewer(**fields)
    db.session.commit()
    login_as(world.officer)
    response = _assign(client, world.nomination, conflicted.id)
    page = text(client.get(response.headers["Location"]))
    assert [a.reviewer_id for a in _assignments(db, world.nomination)] == [world.reviewer.id]
    assert "conflict of interest" in page and reason in page


def test_a_reviewer_who_declared_a_conflict_with_the_city_before_is_refused(
    app, db, client, login_as, world
):
    reviewer = factories.make_reviewer(country="JP")
    earlier = factories.make_nomination(
        call=factories.make_call(state="decided"), city=world.city, state="not_recognised"
    )
    factories.make_assignment(earlier, reviewer, state="conflicted")
    db.session.commit()
    login_as(world.officer)
    _assign(client, world.nomination, reviewer.id)
    assert reviewer.id not in [a.reviewer_id for a in _assignments(db, world.nomination)]


def test_a_reviewer_is_not_invited_twice_to_one_nomination(app, db, client, login_as, world):
    login_as(world.officer)
    response = _assign(client, world.nomination, world.reviewer.id)
    page = text(client.get(response.headers["Location"]))
    assert len(_assignments(db, world.nomination)) == 1
    assert "already asked" in page


@pytest.mark.parametrize("value", ["", "abc", "99999", "-1"])
def test_a_bad_reviewer_value_is_refused_without_error(app, db, client, login_as, world, value):
    login_as(world.officer)
    response = _assign(client, world.nomination, value)
    assert response.status_code == 302
    assert "Choose a reviewer" in text(client.get(response.headers["Location"]))
    assert len(_assignments(db, world.nomination)) == 1


@pytest.mark.parametrize("who", ["focal", "secretariat_only_view", "non_reviewer"])
def test_only_active_reviewers_can_be_invited(app, db, client, login_as, world, who):
    candidates = {
        "focal": world.focal,
        "secretariat_only_view": world.officer,
        "non_reviewer": factories.make_user(country="JP"),
    }
    db.session.commit()
    login_as(world.officer)
    _assign(client, world.nomination, candidates[who].id)
    assert len(_assignments(db, world.nomination)) == 1


def test_an_inactive_reviewer_cannot_be_invited(app, db, client, login_as, world):
    retired = factories.make_reviewer(country="JP", active=False)
    db.session.commit()
    login_as(world.officer)
    _assign(client, world.nomination, retired.id)
    assert len(_assignments(db, world.nomination)) == 1


@pytest.mark.parametrize("who", ["reviewer", "focal"])
def test_only_the_secretariat_assigns(app, db, client, login_as, world, who):
    newcomer = factories.make_reviewer(country="JP")
    db.session.commit()
    login_as(getattr(world, who))
    response = _assign(client, world.nomination, newcomer.id)
    assert response.status_code == 403
    assert len(_assignments(db, world.nomination)) == 1


@pytest.mark.parametrize("state", ["submitted", "returned", "recognised", "withdrawn"])
def test_no_assignment_outside_review(app, db, client, login_as, world, state):
    move_nomination(world.nomination, state, world.officer)
    newcomer = factories.make_reviewer(country="JP")
    db.session.commit()
    login_as(world.officer)
    response = _assign(client, world.nomination, newcomer.id)
    assert response.status_code == 403
    assert len(_assignments(db, world.nomination)) == 1


def _radio(page: str, reviewer) -> str | None:
    """The picker's radio button for ``reviewer``, or None if the panel does not list them."""
    found = re.search(rf'<input [^>]*id="reviewer-{reviewer.id}"[^>]*>', page)
    return found.group(0) if found else None


def test_the_panel_offers_reviewers_without_a_conflict(app, db, client, login_as, world):
    free = factories.make_reviewer(name="Aiko Tanaka", country="JP")
    db.session.commit()
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}/invite"))
    radio = _radio(page, free)
    assert radio is not None and "disabled" not in radio
    assert f'for="reviewer-{free.id}" dir="auto">Aiko Tanaka</label>' in page


def test_the_panel_lists_reviewers_not_offered_with_their_reasons(app, db, client, login_as, world):
    conflicted = factories.make_reviewer(
        name="Jean Dupont", country="FR", affiliations="Lyon Metropole"
    )
    db.session.commit()
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}/invite"))
    assert " disabled" in _radio(page, conflicted)
    assert "from the same country as the city; declared an affiliation with Lyon" in page
    assert "Every reviewer without a conflict of interest has been asked." in page


def test_the_nomination_page_links_to_the_picker_and_lists_no_reviewer_there(
    app, db, client, login_as, world
):
    free = factories.make_reviewer(name="Aiko Tanaka", country="JP")
    db.session.commit()
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}"))
    assert f'href="/nominations/{world.nomination.id}/invite"' in page
    assert _radio(page, free) is None


def test_a_refused_choice_returns_to_the_picker(app, db, client, login_as, world):
    login_as(world.officer)
    response = _assign(client, world.nomination, "")
    assert response.headers["Location"].endswith(f"/nominations/{world.nomination.id}/invite")


def test_the_panel_does_not_offer_reviewers_already_asked(app, db, client, login_as, world):
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}/invite"))
    assert _radio(page, world.reviewer) is None


def test_an_invitation_made_at_the_same_moment_elsewhere_is_reported(
    app, db, client, login_as, world, monkeypatch
):
    import recognition.review.operations as operations

    newcomer = factories.make_reviewer(country="JP")
    db.session.commit()
    real_reasons = operations.conflict_reasons

    def reasons_while_another_officer_invites(reviewer, nomination, *args):
        # Another officer's invitation of the same reviewer commits after this request
        # checked that the reviewer was not asked yet.
        with db.engine.begin() as conn:
            conn.execute(
                sa.insert(Assignment.__table__).values(
                    nomination_id=nomination.id,
                    reviewer_id=reviewer.id,
                    state="invited",
                    version=1,
                    conflict_reason="",
                    recommendation="",
                    comment_for_city="",
                    comment_confidential="",
                    assigned_at=nomination.submitted_at,
                )
            )
        return real_reasons(reviewer, nomination, *args)

    monkeypatch.setattr(operations, "conflict_reasons", reasons_while_another_officer_invites)
    login_as(world.officer)
    response = _assign(client, world.nomination, newcomer.id)
    assert response.status_code == 302
    assert "already asked" in text(client.get(response.headers["Location"]))
    assert len(_assignments(db, world.nomination)) == 2


def test_the_panel_costs_the_same_queries_whatever_the_number_of_reviewers(
    app, db, client, login_as, world
):
    def add(n):
        # Assignments in every state, and as many reviewers not asked yet (half in conflict).
        for index in range(n):
            state = ("accepted", "declined", "conflicted", "submitted")[index % 4]
            factories.make_assignment(world.nomination, factories.make_reviewer(), state=state)
            factories.make_reviewer(country="FR" if index % 2 else "JP")
        db.session.commit()

    add(4)
    login_as(world.officer)
    urls = (f"/nominations/{world.nomination.id}", f"/nominations/{world.nomination.id}/invite")
    page_queries(client, urls[1])  # the first look at the call counts its reviewers' loads
    few = [page_queries(client, url) for url in urls]
    add(12)
    assert [page_queries(client, url) for url in urls] == few
