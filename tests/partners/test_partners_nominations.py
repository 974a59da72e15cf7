"""The partner's own view: the nominations it made and those its members supported with a
letter, never another's; their state as its members may know it; for each announced
recognition a text to circulate in every language, the reader's first."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from types import SimpleNamespace

import factories
import pytest
from partners_support import count_queries, text_of

from recognition.extensions import db
from recognition.letters.models import Letter

BASE = "https://recognition.example.org"


def letter(nomination, name, email, state="received"):
    found = Letter(
        nomination=nomination,
        field="support_letters",
        referee_name=name,
        referee_email=email,
        state=state,
    )
    db.session.add(found)
    db.session.flush()
    return found


def city_nomination(name, **fields):
    city = factories.make_city(name=name)
    return factories.make_nomination(city=city, **fields)


@pytest.fixture
def record(app, alliance, monkeypatch):
    """The alliance's nominations, supported nominations and others' (committed)."""
    monkeypatch.setitem(app.config, "RECOGNITION_BASE_URL", BASE + "/")
    other = factories.make_partner("Other Partner", members=[factories.make_user()])
    announced_call = factories.make_call(
        state="announced",
        title="Role Model Cities 2025",
        announced_at=datetime(2026, 3, 15),
        announcement={"en": "Congratulations to the cities.", "fr": "Félicitations aux villes."},
    )
    found = SimpleNamespace(
        draft=city_nomination("Lyon", partner=alliance.partner),
        announced=city_nomination(
            "Quito",
            call=announced_call,
            state="announced",
            partner=alliance.partner,
            areas_of_strength=[1, 2, 3, 4, 5],
            announced_at=datetime(2026, 3, 15),
        ),
        embargoed=city_nomination("Riga", state="recognised", partner=alliance.partner),
        supported=city_nomination("Dakar", state="submitted"),
        others=city_nomination("Manila", partner=other),
        asked_only=city_nomination("Porto", state="submitted"),
        by_a_stranger=city_nomination("Almaty", state="submitted"),
        other=other,
    )
    letter(found.supported, "Claire Focal", " FOCAL@alliance.example.org ")
    letter(found.supported, "Kwame Deputy", "deputy@alliance.example.org")
    letter(found.asked_only, "Claire Focal", "focal@alliance.example.org", state="requested")
    letter(found.by_a_stranger, "Someone Else", "someone@example.org")
    letter(found.others, "Someone Else", "someone@example.org")
    db.session.commit()
    return found


def rows(html: str) -> list[str]:
    """The nominees of the table's rows, in order."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [
        unescape(name)
        for name in re.findall(r"<tr>\s*<td>(?:<a [^>]*>|<span [^>]*>)([^<]+)<", body)
    ]


def page(client, alliance, query=""):
    response = client.get(f"/partners/{alliance.partner.id}/nominations{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["focal", "deputy"])
def test_members_see_what_the_partner_made_and_supported_only(
    client, login_as, alliance, record, who
):
    login_as(getattr(alliance, who))
    assert sorted(rows(page(client, alliance))) == ["Dakar", "Lyon", "Quito", "Riga"]


def test_what_the_partner_did_for_each(client, login_as, alliance, record):
    login_as(alliance.focal)
    text = text_of(client.get(f"/partners/{alliance.partner.id}/nominations"))
    assert "Lyon Call" in text and "Nominated by us Draft" in text
    assert "Dakar" in text
    assert "Letter of support by Claire Focal and Kwame Deputy Submitted" in text
    assert "Quito Role Model Cities 2025 Nominated by us Recognised and announced" in text
    assert "Recognised: 5 areas of strength" in text


def test_a_decision_before_its_announcement_stays_hidden(client, login_as, alliance, record):
    login_as(alliance.focal)
    html = page(client, alliance)
    riga = html.split(">Riga<")[1].split("</tr>")[0]
    assert "Under review" in riga
    assert "Recognised" not in riga


def test_only_nominations_the_member_may_see_are_linked(client, login_as, alliance, record):
    login_as(alliance.focal)
    html = page(client, alliance)
    assert f'href="/nominations/{record.draft.id}"' in html
    # A letter of support does not open the nomination it supports.
    assert f'href="/nominations/{record.supported.id}"' not in html


@pytest.mark.parametrize("who", ["outsider", "member of another partner", "officer"])
def test_anyone_else_is_not_found(client, login_as, alliance, record, who):
    user = {
        "outsider": lambda: alliance.outsider,
        "member of another partner": lambda: record.other.members[0].user,
        "officer": factories.make_secretariat,
    }[who]()
    db.session.commit()
    login_as(user)
    assert client.get(f"/partners/{alliance.partner.id}/nominations").status_code == 404


def test_a_visitor_is_asked_to_sign_in(client, alliance):
    response = client.get(f"/partners/{alliance.partner.id}/nominations")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_partner_without_nominations_is_told(client, login_as, alliance):
    login_as(alliance.focal)
    assert "No nomination yet" in page(client, alliance)


def circulars(html: str) -> list[tuple[str, str, str]]:
    """The texts to circulate: (language, direction, text), in order."""
    return [
        (lang, direction, unescape(text))
        for lang, direction, text in re.findall(
            r'<textarea class="form-control[^"]*circular" id="circular-\d+-\w+" rows="6" '
            r'readonly lang="(\w+)" dir="(\w+)">([^<]*)</textarea>',
            html,
        )
    ]


def test_a_text_to_circulate_in_the_readers_language_first(client, login_as, alliance, record):
    alliance.focal.locale = "fr"
    db.session.commit()
    login_as(alliance.focal)
    texts = circulars(page(client, alliance))
    assert [lang for lang, _dir, _text in texts] == ["fr", "en", "ar", "es", "ru", "zh"]
    lang, direction, french = texts[0]
    assert direction == "ltr"
    assert "Félicitations aux villes." in french
    assert "Congratulations" not in french
    city = record.announced.city_id
    assert french.endswith(f"{BASE}/recognised/cities/{city}?lang=fr")
    english = texts[1][2]
    assert english.startswith(
        "Quito is recognised in “Role Model Cities 2025”: 5 areas of strength."
    )
    assert "Congratulations to the cities." in english
    assert english.endswith(f"{BASE}/recognised/cities/{city}?lang=en")
    # No Arabic announcement: none is put in the Arabic text, which reads right to left.
    _lang, direction, arabic = texts[2]
    assert direction == "rtl"
    assert "Congratulations" not in arabic and "Félicitations" not in arabic
    assert arabic.endswith(f"{BASE}/recognised/cities/{city}?lang=ar")


def test_only_announced_recognitions_have_a_text(client, login_as, alliance, record):
    login_as(alliance.focal)
    html = page(client, alliance)
    assert len(circulars(html)) == 6
    assert html.count('<section class="card mb-3" id="circulate-') == 1
    assert f'id="circulate-{record.announced.id}"' in html


def test_the_partner_page_shows_its_announced_recognitions(client, alliance, record):
    text = text_of(client.get(f"/partners/{alliance.partner.id}"))
    assert "Recognitions it nominated Quito — Role Model Cities 2025 : 5 areas of strength" in text
    html = client.get(f"/partners/{alliance.partner.id}").get_data(as_text=True)
    assert f'<a href="/recognised/cities/{record.announced.city_id}"' in html
    assert "Riga" not in text and "Lyon" not in text and "Dakar" not in text


def test_the_view_costs_a_page_whatever_the_partners_record(
    app, client, login_as, alliance, record, monkeypatch
):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 5)
    login_as(alliance.focal)
    counts = []
    for extra in (3, 30):  # each time more than a page of new rows
        for n in range(extra):
            city_nomination(f"City {extra}-{n}", partner=alliance.partner)
            letter(
                city_nomination(f"Supported {extra}-{n}", state="submitted"),
                "Kwame Deputy",
                "deputy@alliance.example.org",
            )
        db.session.commit()
        with count_queries() as statements:
            page(client, alliance)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
