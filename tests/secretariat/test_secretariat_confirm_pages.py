"""Careful buttons: closing a call early and announcing one ask first, on a page that says
what will happen — how early, which drafts are left behind, which city is told what — and
nothing happens until the page's button is pressed."""

from __future__ import annotations

import re
from datetime import timedelta

import factories
import pytest

from recognition.extensions import db as _db
from recognition.programmes.models import Call
from recognition.timeutil import utcnow


def text(response) -> str:
    return response.get_data(as_text=True)


def rows(html: str) -> dict[str, str]:
    found = re.findall(r'<tr><th scope="row" dir="auto">([^<]+)</th><td>([^<]+)</td></tr>', html)
    return dict(found)


@pytest.fixture
def decided_call(db):
    """A decided call: Lyon recognised in five areas, Riga not recognised."""
    call = factories.make_call(state="decided", announcement={"en": "Two cities."})
    for name, state, areas in (
        ("Lyon", "recognised", [1, 2, 3, 4, 5]),
        ("Riga", "not_recognised", []),
    ):
        city = factories.make_city(name=name, members=[factories.make_user()])
        factories.make_nomination(call=call, city=city, state=state, areas_of_strength=areas)
    db.session.commit()
    return call


def test_the_call_page_links_to_the_announcement_s_page(as_officer, decided_call):
    html = text(as_officer.get(f"/calls/{decided_call.id}"))
    address = f"/workflow/call/{decided_call.id}/announce"
    assert f'href="{address}"' in html
    assert f'action="{address}"' not in html


def test_announcing_says_which_city_is_told_what(as_officer, decided_call):
    response = as_officer.get(f"/workflow/call/{decided_call.id}/announce")
    assert response.status_code == 200
    html = text(response)
    assert "1 recognised nomination becomes public; its city is told:" in html
    assert "1 city is told that its nomination is not recognised:" in html
    assert rows(html) == {"Lyon": "Areas of strength: 1, 2, 3, 4, 5", "Riga": "Not recognised"}
    assert _db.session.get(Call, decided_call.id).state == "decided"  # asking changes nothing


def test_the_announcement_s_button_announces(as_officer, decided_call):
    html = text(as_officer.get(f"/workflow/call/{decided_call.id}/announce"))
    form = re.search(r'<form method="post" action="([^"]+/announce)">(.*?)</form>', html, re.S)
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    )
    response = as_officer.post(form.group(1), data=fields)
    assert response.status_code == 302
    assert _db.session.get(Call, decided_call.id).state == "announced"


def test_announcing_without_the_page_s_confirmation_is_refused(as_officer, decided_call):
    as_officer.post(f"/workflow/call/{decided_call.id}/announce", data={"next": "/"})
    assert _db.session.get(Call, decided_call.id).state == "decided"


def test_closing_early_says_how_early_and_which_drafts_are_left(as_officer, db):
    call = factories.make_call(state="open", closes_at=utcnow() + timedelta(days=10, hours=1))
    for name in ("Quito", "Accra"):
        factories.make_nomination(call=call, city=factories.make_city(name=name))
    factories.make_nomination(call=call, city=factories.make_city(name="Lima"), state="submitted")
    db.session.commit()
    html = text(as_officer.get(f"/workflow/call/{call.id}/close"))
    assert "The call closes 10 days before its deadline" in html
    assert "2 drafts will no longer be submitted:" in html
    assert list(rows(html)) == ["Accra", "Quito"]


def test_only_who_may_act_sees_the_page(client, login_as, decided_call):
    login_as(factories.make_reviewer())
    assert client.get(f"/workflow/call/{decided_call.id}/announce").status_code in (403, 404)


def test_a_transition_that_needs_no_confirmation_has_no_page(as_officer, db):
    call = factories.make_call(state="reviewing")
    db.session.commit()
    assert as_officer.get(f"/workflow/call/{call.id}/close_review").status_code == 404
