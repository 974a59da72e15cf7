"""The public directory of partners: verified partners only, filtered by kind, country or
global and Essential, searched by name in any language, paginated, at a cost that does not
grow with the number of partners."""

from __future__ import annotations

import re

import factories
import pytest
from partners_support import count_queries

from recognition.extensions import db


def listed(client, query: str = "") -> list[str]:
    """The partners the directory lists, in order, named in the reader's language (English
    unless the query says otherwise)."""
    response = client.get("/partners" + query)
    assert response.status_code == 200, query
    html = response.get_data(as_text=True)
    return re.findall(r'<a href="/partners/\d+[^"]*" lang="\w+" dir="\w+">([^<]+)</a>', html)


@pytest.fixture
def network(db):
    """Five partners of every state and kind, named in several languages (committed)."""
    factories.make_partner(
        "Zenith Engineers", kind="private_sector", country="JP", essentials=[4, 6]
    )
    alliance = factories.make_partner("Alliance for Resilience", country=None, essentials=[1, 9])
    alliance.names = {"en": "Alliance for Resilience", "fr": "Alliance pour la résilience"}
    factories.make_partner("Cités unies", kind="city_network", country="FR", essentials=[1])
    russian = factories.make_partner("placeholder", kind="academic", country="KZ", essentials=[7])
    russian.names, russian.source_language = {"ru": "Институт снижения рисков"}, "ru"
    chinese = factories.make_partner("placeholder", kind="un_agency", country=None)
    chinese.names, chinese.source_language = {"zh": "减灾研究中心", "en": "Centre for DRR"}, "zh"
    for state in ("applied", "suspended", "rejected"):
        factories.make_partner(f"Hidden {state}", state=state, country="JP")
    db.session.commit()


def test_only_verified_partners_are_listed_by_their_source_name(client, network):
    # Sorted by the name in the source language; shown in the reader's where it has one.
    assert listed(client) == [
        "Alliance for Resilience",
        "Cités unies",
        "Zenith Engineers",
        "Институт снижения рисков",
        "Centre for DRR",
    ]
    assert listed(client, "?lang=zh")[-1] == "减灾研究中心"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=city_network", ["Cités unies"]),
        ("?kind=nope", None),
        ("?country=JP", ["Zenith Engineers"]),
        ("?country=jp", ["Zenith Engineers"]),
        ("?country=global", ["Alliance for Resilience", "Centre for DRR"]),
        ("?country=GLOBAL", ["Alliance for Resilience", "Centre for DRR"]),
        ("?country=%27--", None),
        ("?essential=1", ["Alliance for Resilience", "Cités unies"]),
        ("?essential=7", ["Институт снижения рисков"]),
        ("?essential=11", None),
        ("?essential=1&country=global", ["Alliance for Resilience"]),
        ("?q=resilience", ["Alliance for Resilience"]),
        ("?q=r%C3%A9silience", ["Alliance for Resilience"]),  # its French name
        ("?q=%D1%80%D0%B8%D1%81%D0%BA%D0%BE%D0%B2", ["Институт снижения рисков"]),
        ("?q=%E5%87%8F%E7%81%BE", ["Centre for DRR"]),
        ("?q=centre+for", ["Centre for DRR"]),  # its English name
        ("?q=UNIES", ["Cités unies"]),
        ("?q=hidden", []),
        ("?q=100%25", []),
        ("?q=_", []),
    ],
)
def test_filters_and_search(client, network, query, expected):
    everyone = listed(client)
    assert listed(client, query) == (everyone if expected is None else expected)


def test_a_name_without_the_readers_language_is_marked(client, network):
    html = client.get(
        "/partners?lang=fr&q=%D0%98%D0%BD%D1%81%D1%82%D0%B8%D1%82%D1%83%D1%82"
    ).get_data(as_text=True)
    assert '>Институт снижения рисков</a> <small class="text-body-secondary fallback-note">' in html
    french = client.get("/partners?lang=fr&q=resilience").get_data(as_text=True)
    assert 'lang="fr" dir="ltr">Alliance pour la résilience</a></td>' in french


def test_the_country_filter_offers_the_countries_of_listed_partners(client, network):
    html = client.get("/partners").get_data(as_text=True)
    offered = re.findall(r'<option value="([A-Za-z]+)"[^>]*>', html.split('id="p-country"')[1])
    assert offered[:1] == ["global"]
    assert sorted(offered[1 : offered.index("1")] if "1" in offered else offered[1:]) == [
        "FR",
        "JP",
        "KZ",
    ]


def test_nothing_found_says_so(client, network):
    html = client.get("/partners?q=nowhere").get_data(as_text=True)
    assert "No partner matches these filters." in html


def test_the_directory_is_paginated(app, client, network, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 2)
    assert listed(client) == ["Alliance for Resilience", "Cités unies"]
    assert listed(client, "?page=3") == ["Centre for DRR"]
    assert listed(client, "?page=99") == ["Centre for DRR"]
    html = client.get("/partners?country=global&page=1").get_data(as_text=True)
    assert "Page 1 of 1" not in html  # one page: no pager


SMALL, LARGE = 3, 40  # LARGE is more than a page (RECOGNITION_PAGE_SIZE, 25)


def grow(count: int, size: int) -> int:
    kinds = ("ngo", "academic", "city_network")
    while count < size:
        partner = factories.make_partner(
            f"Network {count}",
            kind=kinds[count % 3],
            country=("FR", "JP", None)[count % 3],
            essentials=[1 + count % 10, 3],
            offer={"en": f"Offer {count}"},
            members=[factories.make_user(), factories.make_user()],
        )
        partner.names = {"en": f"Network {count}", "fr": f"Réseau {count}"}
        factories.make_partner(f"Applicant {count}", state="applied")
        count += 1
    db.session.commit()
    return count


@pytest.mark.parametrize(
    "path",
    [
        "/partners",
        "/partners?page=2",
        "/partners?kind=ngo&country=FR&essential=3&q=network",
        "/partners?country=global&q=r%C3%A9seau",
        "/partners?lang=ar",
    ],
)
def test_the_directory_costs_the_same_at_any_size(client, db, path):
    counts, count = [], 0
    for size in (SMALL, LARGE):
        count = grow(count, size)
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    # A page past the end (page 2 of the small directory) counts apart and reads the last.
    past_the_end = 2 if "page=2" in path else 0
    assert counts[0] == counts[1] + past_the_end, counts
    assert counts[1] <= 3, counts


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=-3",
        "?essential=99999999999999999999",
        "?essential=%00",
        "?q=" + "x" * 500,
    ],
)
def test_unreadable_filters_are_no_filters(client, network, query):
    assert client.get("/partners" + query).status_code == 200
