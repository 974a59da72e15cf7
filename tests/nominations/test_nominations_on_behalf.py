"""Nominating on someone's behalf: a verified partner nominates a city, which accepts (or
declines) before the nomination is prepared together; a partner or a registered user
nominates an organisation or a person where the programme allows it; one nomination per
nominee and call; nobody sees a nomination they are not party to."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa

from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.nominees.models import Nominee
from recognition.notifications.models import OutboxMessage
from recognition.partners.models import PartnerMember
from recognition.timeutil import utcnow


def text(response) -> str:
    return response.get_data(as_text=True)


def nominations() -> list[Nomination]:
    _db.session.expire_all()
    return list(_db.session.scalars(sa.select(Nomination).order_by(Nomination.id)))


@pytest.fixture
def partner_member(db):
    """The focal point of a verified partner."""
    user = factories.make_user(name="Pat Partner", email="pat@alliance.example")
    factories.make_partner(name="Resilience Alliance", members=[user])
    db.session.commit()
    return user


def nominate(client, call, **data):
    return client.post(f"/calls/{call.id}/nominate", data={"language": "en", **data})


def _partner_id(user) -> int:
    return _db.session.scalar(
        sa.select(PartnerMember.partner_id).where(PartnerMember.user_id == user.id)
    )


# -- a partner nominates a city ---------------------------------------------------------------


def test_a_partner_nominates_a_city_which_is_asked_to_accept(
    client, login_as, call, city, focal, partner_member
):
    login_as(partner_member)
    response = nominate(
        client, call, nominator=f"partner:{_partner_id(partner_member)}", kind="city", city=city.id
    )
    assert response.status_code == 302
    [nomination] = nominations()
    assert (nomination.state, nomination.city_id, nomination.partner_id) == (
        "awaiting_consent",
        city.id,
        _partner_id(partner_member),
    )
    [asked] = _db.session.query(OutboxMessage).filter_by(recipient_id=focal.id).all()
    assert asked.subject == "Your city is nominated"


def test_the_city_accepts_and_both_prepare_it(client, login_as, call, city, focal, partner_member):
    login_as(partner_member)
    nominate(
        client, call, nominator=f"partner:{_partner_id(partner_member)}", kind="city", city=city.id
    )
    [nomination] = nominations()

    login_as(focal)
    page = text(client.get(f"/nominations/{nomination.id}"))
    assert "Awaiting the city" in page
    assert "Nominated by Resilience Alliance" in page
    edit = f"/nominations/{nomination.id}/edit/profile"
    refused = client.get(edit)  # the city edits once it has accepted
    assert refused.status_code == 303 and refused.location.endswith(f"/nominations/{nomination.id}")
    response = client.post(
        f"/workflow/nomination/{nomination.id}/consent",
        data={"next": "/", "version": nomination.version},
    )
    assert response.status_code == 302
    [nomination] = nominations()
    assert nomination.state == "draft" and nomination.consented_at is not None
    assert client.get(edit).status_code == 200
    login_as(partner_member)
    assert client.get(edit).status_code == 200
    told = _db.session.query(OutboxMessage).filter_by(recipient_id=partner_member.id).all()
    assert [m.subject for m in told] == ["The city accepted the nomination"]


def test_the_city_declines_and_the_nomination_goes_no_further(
    client, login_as, call, city, focal, partner_member
):
    login_as(partner_member)
    nominate(
        client, call, nominator=f"partner:{_partner_id(partner_member)}", kind="city", city=city.id
    )
    [nomination] = nominations()
    login_as(focal)
    client.post(
        f"/workflow/nomination/{nomination.id}/decline",
        data={"next": "/", "version": nomination.version, "confirmed": "y", "comment": "Not now."},
    )
    [nomination] = nominations()
    assert nomination.state == "declined"
    login_as(partner_member)
    assert client.get(f"/nominations/{nomination.id}/edit/profile").status_code == 303
    [told] = _db.session.query(OutboxMessage).filter_by(recipient_id=partner_member.id).all()
    assert "Not now." in told.body_text


def test_the_partner_cannot_accept_in_the_city_s_place(
    client, login_as, call, city, focal, partner_member
):
    login_as(partner_member)
    nominate(
        client, call, nominator=f"partner:{_partner_id(partner_member)}", kind="city", city=city.id
    )
    [nomination] = nominations()
    client.post(
        f"/workflow/nomination/{nomination.id}/consent",
        data={"next": "/", "version": nomination.version},
    )
    assert nominations()[0].state == "awaiting_consent"


def test_nothing_unaccepted_is_submitted(db, call, city, focal, partner_member):
    """The engine refuses the submission of a nomination the city has not accepted, even
    if it were a draft."""
    from recognition.workflow.engine import ConditionNotMet, check

    partner = factories.make_partner(name="Other", members=[factories.make_user()])
    nomination = factories.make_nomination(
        call=call, city=city, created_by_id=partner_member.id, partner=partner
    )
    with pytest.raises(ConditionNotMet) as refused:
        check(nomination, "submit", partner_member)
    assert "has not accepted" in str(refused.value.message)


def test_a_partner_not_yet_verified_cannot_nominate(client, login_as, call, city, db):
    applicant = factories.make_user()
    factories.make_partner(name="New Network", state="applied", members=[applicant])
    db.session.commit()
    login_as(applicant)
    response = client.get(f"/calls/{call.id}/nominate", follow_redirects=True)
    assert "Only focal points of verified cities can nominate." in text(response)
    assert nominations() == []


# -- organisations and persons ----------------------------------------------------------------


@pytest.fixture
def award(db):
    return factories.make_call("sasakawa_award", title="Sasakawa Award 2027")


def test_a_partner_nominates_an_ngo_for_the_award(client, login_as, award, partner_member):
    login_as(partner_member)
    response = nominate(
        client,
        award,
        nominator=f"partner:{_partner_id(partner_member)}",
        kind="organisation",
        name="Almaty City Hall",
        organisation_type="government_agency",
        country="KZ",
        contact_email="Contact@Almaty.example",
    )
    assert response.status_code == 302
    [nomination] = nominations()
    assert nomination.state == "draft"  # no city to ask
    assert nomination.city_id is None
    nominee = nomination.nominee
    assert (nominee.kind, str(nominee.name()), nominee.country, nominee.contact_email) == (
        "organisation",
        "Almaty City Hall",
        "KZ",
        "contact@almaty.example",
    )
    page = text(client.get(f"/nominations/{nomination.id}"))
    assert "Almaty City Hall" in page and "A local or national government agency" in page


def test_the_nominee_s_fields_are_required_each_beside_its_field(
    client, login_as, award, partner_member
):
    login_as(partner_member)
    response = nominate(
        client, award, nominator=f"partner:{_partner_id(partner_member)}", kind="organisation"
    )
    html = text(response)
    assert response.status_code == 200
    errors = re.findall(r'<div id="([a-z_]+)-error" class="invalid-feedback[^>]*>([^<]*)<', html)
    assert set(errors) == {
        ("name", "Write the nominee's name."),
        ("country", "Choose the nominee's country."),
        ("organisation_type", "Choose the type of organisation."),
    }
    assert nominations() == []


def test_one_nomination_per_nominee_and_call(client, login_as, award, partner_member, db):
    other = factories.make_user(email_confirmed_at=utcnow())
    db.session.commit()
    login_as(partner_member)
    nominate(
        client,
        award,
        nominator=f"partner:{_partner_id(partner_member)}",
        kind="person",
        name="Dr. Ana Núñez",
        country="CL",
    )
    login_as(other)
    response = nominate(
        client, award, nominator="me", kind="person", name="dr ana nunez", country="CL"
    )
    assert "This nominee already has a nomination for this call." in text(response)
    assert len(nominations()) == 1
    assert (
        _db.session.scalar(
            sa.select(sa.func.count()).select_from(Nominee).where(Nominee.kind == "person")
        )
        == 1
    )


def test_a_registered_user_nominates_where_the_programme_allows(client, login_as, award, call, db):
    someone = factories.make_user(email_confirmed_at=utcnow())
    db.session.commit()
    login_as(someone)
    # Role Model City: the nominee or a partner only.
    assert "Only focal points" in text(
        client.get(f"/calls/{call.id}/nominate", follow_redirects=True)
    )
    nominate(
        client,
        award,
        nominator="me",
        kind="organisation",
        name="Barrio Unido",
        organisation_type="community_group",
        country="PE",
    )
    [nomination] = nominations()
    assert nomination.created_by_id == someone.id and nomination.partner_id is None


# -- who sees what ----------------------------------------------------------------------------


def test_a_partner_sees_nothing_of_nominations_it_is_not_party_to(
    client, login_as, call, city, focal, partner_member, db
):
    own = factories.make_nomination(call=call, city=city, created_by_id=focal.id)
    rival_user = factories.make_user()
    rival = factories.make_partner(name="Rival", members=[rival_user])
    theirs = factories.make_nomination(
        call=factories.make_call("sasakawa_award"),
        city=factories.make_city(),
        created_by_id=rival_user.id,
        partner=rival,
    )
    db.session.commit()
    login_as(partner_member)
    for nomination in (own, theirs):
        assert client.get(f"/nominations/{nomination.id}").status_code in (403, 404)
    listed = text(client.get("/nominations"))
    assert f"/nominations/{own.id}" not in listed and f"/nominations/{theirs.id}" not in listed


def test_our_nominations_lists_a_partner_s_nominations(
    client, login_as, call, city, partner_member
):
    login_as(partner_member)
    nominate(
        client, call, nominator=f"partner:{_partner_id(partner_member)}", kind="city", city=city.id
    )
    [nomination] = nominations()
    assert f"/nominations/{nomination.id}" in text(client.get("/nominations"))
