"""The Ten Essentials on the public pages and the certificates, titled by each programme's
edition: a Role Model City names the 2010 Essentials, a Resilience Hub the 2017 ones (3 is
"Up-to-date hazard and vulnerability data..." in 2010, "Strengthen financial capacity for
resilience" in 2017), and the directory filters on an edition's Essential."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from public_support import announced_call, city_links, count_queries, get, recognition
from pypdf import PdfReader

from recognition.extensions import db

TITLE_2010 = "Up-to-date hazard and vulnerability data; risk assessments used in urban planning"
TITLE_2017 = "Strengthen financial capacity for resilience"


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # a long title wraps over lines


@pytest.fixture
def hub(db, published):
    """Beside ``published`` (Lyon, Role Model City 2025, Essentials 1-5 of 2010): Nairobi, an
    announced Resilience Hub whose record names Essential 3 among its areas (made up: a hub's
    decision names its level) and which published what it shares on Essentials 1 and 3
    (committed)."""
    call = announced_call("resilience_hub", cycle="2026", title="Resilience Hubs 2026")
    nairobi = recognition(
        call,
        "Nairobi",
        "KE",
        award_level="hub",
        areas_of_strength=[3],
        answers={
            "share_1": "Peer exchanges on our resilience council.",
            "share_3": "Study visits on our disaster risk finance.",
            "sharing_ways": ["peer_exchange", "study_visit"],
            "sharing_commitment": "yes",
        },
    )
    db.session.commit()
    published.hub_call, published.nairobi = call, nairobi
    return published


@pytest.fixture
def hub_strengths(app, monkeypatch):
    """The Resilience Hub as if its decision named areas of strength (2017 Essentials 1-3):
    a second edition for the directory to offer."""
    programmes = app.extensions["programmes"]
    monkeypatch.setitem(
        programmes, "resilience_hub", replace(programmes["resilience_hub"], decision="strengths")
    )


# -- the city page ---------------------------------------------------------------------------


def section_of(html: str, nomination_id: int) -> str:
    return html.split(f'aria-labelledby="recognition-{nomination_id}"')[1].split("</section>")[0]


def test_a_role_model_city_page_names_the_2010_essentials(client, hub):
    html = section_of(get(client, f"/recognised/cities/{hub.lyon.city_id}"), hub.lyon.id)
    assert '<h3 class="h6">Areas of strength — The Ten Essentials (2010)</h3>' in html
    assert f"<li>Essential 3: {TITLE_2010}, shared publicly</li>" in html
    assert TITLE_2017 not in html


def test_a_resilience_hub_page_names_the_2017_essentials(client, hub):
    html = section_of(get(client, f"/recognised/cities/{hub.nairobi.city_id}"), hub.nairobi.id)
    assert '<p class="fs-5">Resilience Hub</p>' in html
    assert '<h3 class="h6">Areas of strength — The Ten Essentials (2017)</h3>' in html
    assert f"<li>Essential 3: {TITLE_2017}</li>" in html
    assert TITLE_2010 not in html


def test_a_resilience_hub_page_shows_what_it_shares_per_2017_essential(client, hub):
    """The real path, without areas: the public answers, titled by the 2017 Essentials."""
    hub.nairobi.areas_of_strength = []
    db.session.commit()
    html = section_of(get(client, f"/recognised/cities/{hub.nairobi.city_id}"), hub.nairobi.id)
    assert "<dt>Organise for disaster resilience</dt>" in html
    assert "Peer exchanges on our resilience council." in html
    assert f"<dt>{TITLE_2017}</dt>" in html
    assert "Study visits on our disaster risk finance." in html
    assert "Peer exchanges between officials, Study visits to the city" in html
    assert "Areas of strength" not in html
    # The commitment is a formality of the application, not published.
    assert "Commitment to share" not in html


# -- the certificate and its verification ----------------------------------------------------


def test_a_resilience_hub_certificate_names_the_2017_essential(client, hub):
    response = client.get(f"/nominations/{hub.nairobi.id}/certificate.pdf")
    assert response.status_code == 200
    text = pdf_text(response.get_data())
    assert "Resilience Hub" in text
    assert "The Ten Essentials (2017)" in text
    assert f"Essential 3: {TITLE_2017}" in text
    assert "Up-to-date hazard" not in text


def test_a_role_model_city_certificate_names_the_2010_essentials(client, hub):
    text = pdf_text(client.get(f"/nominations/{hub.lyon.id}/certificate.pdf").get_data())
    assert "The Ten Essentials (2010)" in text
    assert f"Essential 3: {TITLE_2010}" in text
    assert TITLE_2017 not in text


def test_the_verification_page_names_the_edition_s_essentials(client, hub):
    client.get(f"/nominations/{hub.nairobi.id}/certificate.pdf")  # gives it its code
    db.session.expire_all()
    html = get(client, f"/verify/{hub.nairobi.verification_code}")
    assert "Areas of strength — The Ten Essentials (2017)" in html
    assert f"<li>Essential 3: {TITLE_2017}</li>" in html
    assert "Up-to-date hazard" not in html


def test_the_certificate_names_the_essential_in_the_nomination_s_language(client, hub):
    hub.nairobi.language = "fr"
    db.session.commit()
    text = pdf_text(client.get(f"/nominations/{hub.nairobi.id}/certificate.pdf").get_data())
    assert "Point essentiel 3 :" in text


# -- the directory's area-of-strength filter -------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?essential=2017:3", ["Nairobi"]),
        ("?essential=2010:3", ["Lyon"]),
        ("?essential=3", ["Lyon"]),  # an address from before editions: the 2010 Essential
        ("?essential=2017:1", []),
        ("?essential=2010:5", ["Lyon"]),
        ("?essential=2017:3&programme=role_model_city", []),
        ("?essential=2010:3&country=KE", []),
        # Not offered, so no filter (the hub's criteria score 2017's Essentials 1-3 only).
        ("?essential=2017:5", ["Lyon", "Manila", "Nairobi"]),
        ("?essential=2099:3", ["Lyon", "Manila", "Nairobi"]),
        ("?essential=2017:", ["Lyon", "Manila", "Nairobi"]),
        ("?essential=2017%3A3%3A3", ["Lyon", "Manila", "Nairobi"]),
        ("?essential=%C2%B2", ["Lyon", "Manila", "Nairobi"]),  # "²" is a digit to str.isdigit
        ("?essential=%D9%A3", ["Lyon", "Manila", "Nairobi"]),  # an Arabic-Indic 3
    ],
)
def test_the_filter_is_per_edition(client, hub, hub_strengths, query, expected):
    assert set(city_links(get(client, "/recognised" + query))) == set(expected)


def test_the_choices_are_grouped_by_edition(client, hub, hub_strengths):
    html = get(client, "/recognised?essential=2017:3")
    select = html.split('id="p-essential"')[1].split("</select>")[0]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select)
    assert [label for label, _options in groups] == [
        "The Ten Essentials (2010)",
        "The Ten Essentials (2017)",
    ]
    options_2017 = re.findall(r'<option value="([^"]+)"', groups[1][1])
    assert options_2017 == ["2017:1", "2017:2", "2017:3"]
    assert f'<option value="2017:3" selected>Essential 3: {TITLE_2017}</option>' in select
    assert '<option value="2010:3">Essential 3: Up-to-date hazard' in select


def test_the_chosen_essential_names_its_edition_in_the_title(client, hub, hub_strengths):
    html = get(client, "/recognised?essential=2017:3")
    title = re.search(r"<title>([^<]*)</title>", html).group(1)
    assert f"Essential 3 of The Ten Essentials (2017): {TITLE_2017}" in title


def test_an_old_address_is_shown_as_the_2010_choice(client, hub, hub_strengths):
    html = get(client, "/recognised?essential=3")
    assert '<option value="2010:3" selected>' in html
    assert "selected>Essential 3: Strengthen" not in html


def test_the_per_edition_filter_costs_the_same_at_any_size(client, hub, hub_strengths):
    def queries() -> int:
        with count_queries() as statements:
            get(client, "/recognised?essential=2017:3")
        return len(statements)

    few = queries()
    for i in range(30):
        recognition(hub.hub_call, f"Hub {i}", "KE", award_level="hub", areas_of_strength=[3])
    db.session.commit()
    assert queries() == few


def test_the_hub_city_page_costs_no_more_than_a_role_model_city_s(client, hub):
    def queries(city_id) -> int:
        with count_queries() as statements:
            get(client, f"/recognised/cities/{city_id}")
        return len(statements)

    assert queries(hub.nairobi.city_id) == queries(hub.lyon.city_id)
