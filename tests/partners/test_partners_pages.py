"""A partner's page: public once verified; its members and the secretariat see more (its
members, their addresses, the state and its history); an application is nobody else's."""

from __future__ import annotations

import re

import factories
import pytest
from partners_support import text_of

from recognition.extensions import db

WHO = ("visitor", "other user", "member of another partner", "focal point", "deputy", "officer")
#: state -> who sees the page (the others: 404, so that ids reveal nothing)
SEEN_BY = {
    "applied": {"focal point", "deputy", "officer"},
    "verified": set(WHO),
    "suspended": {"focal point", "deputy", "officer"},
    "rejected": {"focal point", "deputy", "officer"},
}


def viewer(who, partner_members):
    focal, deputy = partner_members
    return {
        "visitor": lambda: None,
        "other user": factories.make_user,
        "member of another partner": lambda: (
            factories.make_partner(members=[factories.make_user()]).members[0].user
        ),
        "focal point": lambda: focal,
        "deputy": lambda: deputy,
        "officer": factories.make_secretariat,
    }[who]()


@pytest.mark.parametrize("state", list(SEEN_BY))
@pytest.mark.parametrize("who", WHO)
def test_who_sees_the_page_in_each_state(client, login_as, state, who):
    focal, deputy = factories.make_user(), factories.make_user()
    partner = factories.make_partner("Network", state=state, members=[focal, deputy])
    user = viewer(who, (focal, deputy))
    db.session.commit()
    login_as(user)
    expected = 200 if who in SEEN_BY[state] else 404
    assert client.get(f"/partners/{partner.id}").status_code == expected


def test_the_public_page_shows_the_profile(client, alliance):
    alliance.partner.website = "https://alliance.example.org"
    db.session.commit()
    response = client.get(f"/partners/{alliance.partner.id}")
    text = text_of(response)
    html = response.get_data(as_text=True)
    assert '<h1><span lang="en" dir="ltr">Global Alliance</span></h1>' in html
    assert "Non-governmental organisation" in text
    assert "Where it works Global" in text
    assert '<a href="https://alliance.example.org" rel="noopener noreferrer"' in html
    assert "Training for neighbourhood volunteers." in text
    essentials = re.findall(r"<li>(Essential \d+:[^<]*)</li>", html)
    # Partners chose their Essentials by the 2010 titles: numbers of that edition.
    assert essentials == [
        "Essential 1: Organisation and coordination for risk reduction, with citizens and civil "
        "society",
        "Essential 9: Early warning systems, emergency management capacity and regular public "
        "drills",
    ]


def test_the_public_never_sees_the_members_or_their_addresses(client, login_as, alliance):
    for user in (None, alliance.outsider):
        login_as(user)
        html = client.get(f"/partners/{alliance.partner.id}").get_data(as_text=True)
        assert "@alliance.example.org" not in html
        assert "Claire Focal" not in html
        assert "/edit" not in html
        assert "History" not in html


@pytest.mark.parametrize("who", ["focal", "deputy"])
def test_members_see_the_members_their_addresses_state_and_history(client, login_as, alliance, who):
    login_as(getattr(alliance, who))
    response = client.get(f"/partners/{alliance.partner.id}")
    text = text_of(response)
    assert "Claire Focal < focal@alliance.example.org > — Campaign focal point" in text
    assert "Kwame Deputy < deputy@alliance.example.org > — Deputy" in text
    assert "Partnership: Verified" in text
    assert "History" in text
    html = response.get_data(as_text=True)
    assert f'href="/partners/{alliance.partner.id}/edit"' in html
    assert f'href="/partners/{alliance.partner.id}/nominations"' in html


def test_the_secretariat_sees_the_members_but_not_the_partners_own_view(client, login_as, alliance):
    login_as(factories.make_secretariat())
    db.session.commit()
    html = client.get(f"/partners/{alliance.partner.id}").get_data(as_text=True)
    assert "focal@alliance.example.org" in html
    assert f'action="/workflow/partner/{alliance.partner.id}/suspend"' in html
    assert f'href="/partners/{alliance.partner.id}/nominations"' not in html


def test_the_name_in_the_readers_language_else_the_source_language_marked(client, alliance):
    french = client.get(f"/partners/{alliance.partner.id}?lang=fr").get_data(as_text=True)
    assert '<h1><span lang="fr" dir="ltr">Alliance mondiale</span></h1>' in french
    # No Arabic name: the English one, marked as such; the page itself right to left.
    arabic = client.get(f"/partners/{alliance.partner.id}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<span lang="en" dir="ltr">Global Alliance</span> <small' in arabic
    assert 'class="text-body-secondary fallback-note"' in arabic


def test_a_partner_in_a_country_names_it_in_the_readers_language(client):
    partner = factories.make_partner("Red Andina", country="PE")
    db.session.commit()
    assert "Where it works Peru" in text_of(client.get(f"/partners/{partner.id}"))
    assert "Pérou" in text_of(client.get(f"/partners/{partner.id}?lang=fr"))


def test_members_find_their_organisation_in_the_navigation(client, login_as, alliance):
    login_as(alliance.deputy)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/partners/ours">Our organisation</a>' in html
    response = client.get("/partners/ours")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/partners/{alliance.partner.id}"
    login_as(alliance.outsider)
    html = client.get("/").get_data(as_text=True)
    assert "Our organisation" not in html
    assert 'href="/partners">Partners</a>' in html


def test_someone_acting_for_two_partners_chooses_one(client, login_as, alliance):
    factories.make_partner("Second Network", state="applied", members=[alliance.focal])
    db.session.commit()
    login_as(alliance.focal)
    response = client.get("/partners/ours")
    text = text_of(response)
    assert response.status_code == 200
    assert "Global Alliance" in text and "Second Network Applied" in text


def test_a_website_that_is_not_a_web_address_is_never_a_link(client):
    partner = factories.make_partner("Odd", website="javascript:alert(1)")
    db.session.commit()
    html = client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert "javascript:" not in html
