"""The secretariat verifies, rejects, suspends and reinstates partners through the state menu
of the partner's page (partner.yaml); only a verified partner nominates."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.nominees.models import nominee_for_city
from recognition.notifications.models import OutboxMessage
from recognition.workflow.engine import ConditionNotMet, create
from recognition.workflow.history import history_of


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def fire(client, partner, transition, comment=""):
    """Send the state menu's form of ``transition``, as the partner's page does."""
    return client.post(
        f"/workflow/partner/{partner.id}/{transition}",
        data={
            "version": partner.version,
            "comment": comment,
            "next": f"/partners/{partner.id}",
        },
    )


@pytest.fixture
def applied(db):
    focal = factories.make_user(email="focal@applicant.example.org")
    partner = factories.make_partner("Applicant Network", state="applied", members=[focal])
    db.session.commit()
    return partner


def test_the_secretariat_sees_verify_and_reject_on_the_partner_page(client, login_as, applied):
    login_as(factories.make_secretariat())
    db.session.commit()
    html = client.get(f"/partners/{applied.id}").get_data(as_text=True)
    for transition in ("verify", "reject"):
        assert f'action="/workflow/partner/{applied.id}/{transition}"' in html
    assert "/suspend" not in html


def test_the_secretariat_verifies_and_the_members_are_told(client, login_as, applied):
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    response = fire(client, applied, "verify", "Welcome.")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/partners/{applied.id}"
    assert _flashes(client) == [("success", "Done: Verify.")]
    assert applied.state == "verified"
    [event] = history_of(applied)
    assert (event.transition, event.actor_id, event.comment) == ("verify", officer.id, "Welcome.")
    [message] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.to_email == "focal@applicant.example.org"
    assert message.subject == "Your organisation is a verified campaign partner"
    assert message.link.endswith(f"/partners/{applied.id}")
    # Now public, and listed.
    login_as(None)
    assert client.get(f"/partners/{applied.id}").status_code == 200
    assert "Applicant Network" in client.get("/partners").get_data(as_text=True)


def test_a_member_cannot_verify_its_own_partner(client, login_as, applied):
    login_as(applied.focal_point)
    response = fire(client, applied, "verify")
    assert response.status_code == 302
    assert _flashes(client) == [("danger", "You are not allowed to do this.")]
    assert applied.state == "applied"
    assert 'action="/workflow/partner/' not in client.get(f"/partners/{applied.id}").get_data(
        as_text=True
    )


def test_rejecting_needs_a_reason(client, login_as, applied):
    login_as(factories.make_secretariat())
    db.session.commit()
    fire(client, applied, "reject")
    assert _flashes(client) == [("danger", "A comment is required for this action.")]
    assert applied.state == "applied"
    fire(client, applied, "reject", "Not an organisation working on disaster risk.")
    assert applied.state == "rejected"


def test_suspending_takes_the_partner_off_the_directory_and_reinstating_brings_it_back(
    client, login_as, alliance
):
    partner = alliance.partner
    login_as(factories.make_secretariat())
    db.session.commit()
    fire(client, partner, "suspend", "Misused the campaign's name.")
    assert partner.state == "suspended"
    login_as(None)
    assert client.get(f"/partners/{partner.id}").status_code == 404
    assert "Global Alliance" not in client.get("/partners").get_data(as_text=True)
    login_as(factories.make_secretariat())
    db.session.commit()
    fire(client, partner, "reinstate")
    assert partner.state == "verified"
    login_as(None)
    assert client.get(f"/partners/{partner.id}").status_code == 200


def _partner_nomination(partner, user):
    """A Role Model City nomination of a verified city, started for ``partner`` by ``user``."""
    call = factories.make_call("role_model_city")
    city = factories.make_city(state="verified")
    return Nomination(
        call=call,
        nominee=nominee_for_city(city),
        city=city,
        city_id=city.id,
        partner=partner,
        partner_id=partner.id,
        language="en",
        created_by_id=user.id,
        answers={},
    )


@pytest.mark.parametrize("state", ["applied", "suspended", "rejected"])
def test_only_a_verified_partner_nominates(app, state):
    focal = factories.make_user()
    partner = factories.make_partner(state=state, members=[focal])
    nomination = _partner_nomination(partner, focal)
    with pytest.raises(ConditionNotMet) as refused:
        create(nomination, focal)
    assert str(refused.value.message) == (
        "Your organisation must be verified by the secretariat as a campaign partner first."
    )
    assert refused.value.detail == "rule 'nominator_may_nominate'"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)) == 0


def test_a_verified_partner_nominates(app):
    focal = factories.make_user()
    partner = factories.make_partner(state="verified", members=[focal])
    nomination = _partner_nomination(partner, focal)
    create(nomination, focal)
    assert nomination.state == "draft"
    assert nomination.partner_id == partner.id


def test_a_suspended_partner_nominates_again_once_reinstated(client, login_as, alliance):
    partner = alliance.partner
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    fire(client, partner, "suspend", "Checking its activities.")
    with pytest.raises(ConditionNotMet):
        create(_partner_nomination(partner, alliance.focal), alliance.focal)
    db.session.rollback()
    fire(client, partner, "reinstate")
    nomination = _partner_nomination(partner, alliance.deputy)
    create(nomination, alliance.deputy)
    assert nomination.state == "draft"
