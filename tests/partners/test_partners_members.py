"""Editing a partner's profile and members: who may, adding a deputy (an account, or an
invitation), removing one, handing the focal point role over."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from partners_support import error_after, organisation_data

from recognition.accounts.models import User
from recognition.extensions import db
from recognition.notifications.models import OutboxMessage


def roles(partner) -> list[tuple[str, str]]:
    db.session.refresh(partner)
    return sorted((m.user.email, m.role) for m in partner.members)


def mail_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_email == address))
    )


# -- who may edit ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["focal", "deputy"])
def test_members_edit_the_profile(client, login_as, alliance, who):
    login_as(getattr(alliance, who))
    partner = alliance.partner
    assert client.get(f"/partners/{partner.id}/edit").status_code == 200
    data = organisation_data(
        name_en="Global Alliance for Resilience",
        name_fr="Alliance mondiale pour la résilience",
        country="global",
        essentials=["2"],
        version=partner.version,
    )
    response = client.post(f"/partners/{partner.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(partner)
    assert partner.names == {
        "en": "Global Alliance for Resilience",
        "fr": "Alliance mondiale pour la résilience",
    }
    assert (partner.country, partner.essentials) == (None, [2])


def test_the_edit_form_shows_what_the_partner_stores(client, login_as, alliance):
    login_as(alliance.focal)
    html = client.get(f"/partners/{alliance.partner.id}/edit").get_data(as_text=True)
    assert 'value="Alliance mondiale"' in html
    assert '<option selected value="global">' in html
    checked = re.findall(
        r'<input checked [^>]*name="essentials" type="checkbox" value="(\d+)"', html
    )
    assert checked == ["1", "9"]


def test_a_profile_changed_meanwhile_is_a_conflict(client, login_as, alliance):
    login_as(alliance.focal)
    partner = alliance.partner
    data = organisation_data(name_en="Stale", version=partner.version - 1)
    assert client.post(f"/partners/{partner.id}/edit", data=data).status_code == 409
    db.session.refresh(partner)
    assert partner.names["en"] == "Global Alliance"


def test_bad_input_on_the_profile_is_said_next_to_the_field(client, login_as, alliance):
    login_as(alliance.focal)
    data = organisation_data(name_en="", version=alliance.partner.version)
    response = client.post(f"/partners/{alliance.partner.id}/edit", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_after(html, "name_en") == "The name in the source language is required."
    assert "Training for city engineers." in html  # what was typed, not what is stored


def test_a_name_another_partner_uses_is_refused(client, login_as, alliance):
    factories.make_partner("Other Network")
    db.session.commit()
    login_as(alliance.focal)
    data = organisation_data(name_en="Other Network", version=alliance.partner.version)
    html = client.post(f"/partners/{alliance.partner.id}/edit", data=data).get_data(as_text=True)
    assert error_after(html, "name_en") == (
        "An organisation with this name has already applied or is a campaign partner."
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/partners/{id}/edit"),
        ("post", "/partners/{id}/edit"),
        ("post", "/partners/{id}/members"),
        ("post", "/partners/{id}/members/{member}/remove"),
        ("post", "/partners/{id}/members/{member}/focal"),
    ],
)
@pytest.mark.parametrize("other_state", ["verified", "applied"])
def test_a_deputy_of_one_partner_cannot_edit_another(
    client, login_as, alliance, method, path, other_state
):
    owner, their_deputy = factories.make_user(), factories.make_user()
    other = factories.make_partner("Other", state=other_state, members=[owner, their_deputy])
    db.session.commit()
    login_as(alliance.deputy)
    url = path.format(id=other.id, member=other.members[1].id)
    response = getattr(client, method)(url, data={**organisation_data(), "email": "x@example.org"})
    # A verified partner is public: 403; an application is not even seen: 404.
    assert response.status_code == (403 if other_state == "verified" else 404)
    assert roles(other) == sorted([(owner.email, "focal"), (their_deputy.email, "deputy")])
    assert other.names == {"en": "Other"}


def test_a_suspended_partners_members_may_no_longer_edit(client, login_as, alliance):
    alliance.partner.state = "suspended"
    db.session.commit()
    login_as(alliance.focal)
    assert client.get(f"/partners/{alliance.partner.id}").status_code == 200
    assert client.get(f"/partners/{alliance.partner.id}/edit").status_code == 403


def test_signed_out_visitors_are_asked_to_sign_in(client, alliance):
    response = client.get(f"/partners/{alliance.partner.id}/edit")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# -- adding a deputy ---------------------------------------------------------------------------


def test_a_member_adds_a_deputy_by_the_address_of_their_account(client, login_as, alliance):
    newcomer = factories.make_user(email="newcomer@example.org", name="New Comer", locale="fr")
    db.session.commit()
    login_as(alliance.deputy)
    response = client.post(
        f"/partners/{alliance.partner.id}/members", data={"email": " NEWCOMER@example.org "}
    )
    assert response.status_code == 302
    assert ("newcomer@example.org", "deputy") in roles(alliance.partner)
    [message] = mail_to("newcomer@example.org")
    assert message.link.endswith(f"/partners/{alliance.partner.id}")
    # The newcomer acts for the partner now: its own view opens.
    login_as(newcomer)
    assert client.get(f"/partners/{alliance.partner.id}/nominations").status_code == 200


def test_someone_already_a_member_is_not_added_twice(client, login_as, alliance):
    login_as(alliance.focal)
    html = client.post(
        f"/partners/{alliance.partner.id}/members", data={"email": alliance.deputy.email}
    ).get_data(as_text=True)
    assert error_after(html, "email") == "Kwame Deputy already acts for this organisation."
    assert len(roles(alliance.partner)) == 2


def test_an_address_without_account_asks_for_a_name_to_invite(client, login_as, alliance):
    login_as(alliance.focal)
    html = client.post(
        f"/partners/{alliance.partner.id}/members", data={"email": "stranger@example.org"}
    ).get_data(as_text=True)
    assert error_after(html, "email") == (
        "No account uses this address. To invite the person, give their name too; they will "
        "receive an e-mail to choose a password."
    )
    assert 'value="stranger@example.org"' in html
    assert db.session.scalar(sa.select(User).where(User.email == "stranger@example.org")) is None


def test_a_verified_partner_invites_a_deputy_without_an_account(client, login_as, alliance):
    login_as(alliance.focal)
    client.post(
        f"/partners/{alliance.partner.id}/members",
        data={"email": "stranger@example.org", "name": "Sam Stranger"},
    )
    invited = db.session.scalar(sa.select(User).where(User.email == "stranger@example.org"))
    assert invited.name == "Sam Stranger" and invited.password_hash is None
    assert ("stranger@example.org", "deputy") in roles(alliance.partner)
    [message] = mail_to("stranger@example.org")
    assert "/invitation/" in message.link
    assert "a deputy of Global Alliance, a campaign partner" in message.body_text


def test_an_application_cannot_invite_people_yet(client, login_as):
    focal = factories.make_user()
    partner = factories.make_partner(state="applied", members=[focal])
    db.session.commit()
    login_as(focal)
    html = client.post(
        f"/partners/{partner.id}/members",
        data={"email": "stranger@example.org", "name": "Sam Stranger"},
    ).get_data(as_text=True)
    assert error_after(html, "email") == (
        "No account uses this address. You can invite people once the secretariat has verified "
        "your organisation."
    )
    assert db.session.scalar(sa.select(User).where(User.email == "stranger@example.org")) is None


def test_an_unreadable_address_is_said_next_to_the_field(client, login_as, alliance):
    login_as(alliance.focal)
    response = client.post(f"/partners/{alliance.partner.id}/members", data={"email": "nope"})
    assert response.status_code == 200
    assert error_after(response.get_data(as_text=True), "email")


# -- removing a deputy, handing over the focal point ---------------------------------------------


def test_a_member_removes_a_deputy(client, login_as, alliance):
    login_as(alliance.focal)
    member = alliance.partner.members[1]
    response = client.post(f"/partners/{alliance.partner.id}/members/{member.id}/remove")
    assert response.status_code == 302
    assert roles(alliance.partner) == [("focal@alliance.example.org", "focal")]
    login_as(alliance.deputy)
    assert client.get(f"/partners/{alliance.partner.id}/nominations").status_code == 404


def test_the_focal_point_cannot_be_removed(client, login_as, alliance):
    login_as(alliance.deputy)
    focal = alliance.partner.members[0]
    client.post(f"/partners/{alliance.partner.id}/members/{focal.id}/remove")
    assert len(roles(alliance.partner)) == 2


def test_a_deputy_who_removes_themselves_is_sent_to_their_organisations(client, login_as, alliance):
    login_as(alliance.deputy)
    member = alliance.partner.members[1]
    response = client.post(f"/partners/{alliance.partner.id}/members/{member.id}/remove")
    assert response.headers["Location"] == "/partners/ours"


def test_the_focal_point_role_is_handed_to_another_member(client, login_as, alliance):
    login_as(alliance.focal)
    deputy = alliance.partner.members[1]
    response = client.post(f"/partners/{alliance.partner.id}/members/{deputy.id}/focal")
    assert response.status_code == 302
    assert roles(alliance.partner) == [
        ("deputy@alliance.example.org", "focal"),
        ("focal@alliance.example.org", "deputy"),
    ]
    assert alliance.partner.focal_point == alliance.deputy
    assert [m.subject for m in mail_to("deputy@alliance.example.org")] == [
        "You are now the campaign focal point of Global Alliance"
    ]


def test_a_member_of_another_partner_is_not_found(client, login_as, alliance):
    other = factories.make_partner(members=[factories.make_user()])
    db.session.commit()
    login_as(alliance.focal)
    response = client.post(f"/partners/{alliance.partner.id}/members/{other.members[0].id}/focal")
    assert response.status_code == 404
