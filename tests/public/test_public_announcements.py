"""The index of announcements: announced calls only, newest first, by programme and year."""

from __future__ import annotations

import re

import factories
import pytest
from public_support import ANNOUNCED_AT, announced_call, get, recognition


def titles(html: str) -> list[str]:
    """The calls the index lists, in order (their titles, as linked)."""
    return re.findall(
        r'<h2 class="h5 card-title"><a href="/announcements/\d+[^"]*"><span [^>]*>([^<]+)</span>',
        html,
    )


def test_the_index_lists_announced_calls_only_newest_first(client, published):
    assert titles(get(client, "/announcements")) == ["Sasakawa Award 2026", "Role Model City 2025"]


@pytest.mark.parametrize("state", ["draft", "open", "closed", "reviewing", "decided"])
def test_calls_not_announced_are_not_listed(db, client, state):
    # Even with a date of announcement set ahead (an embargo): the state decides.
    call = factories.make_call(
        state=state, title="Not yet", announcement={"en": "Secret"}, announced_at=ANNOUNCED_AT
    )
    recognition(call, "Hidden", state="recognised")
    db.session.commit()
    html = get(client, "/announcements")
    assert "Not yet" not in html and "Hidden" not in html
    assert "No recognition has been announced yet." in html


def test_each_call_links_its_announcement_and_counts_its_recognised_cities(client, published):
    html = get(client, "/announcements")
    entry = html.split(f'href="/announcements/{published.rmc.id}"')[1].split("</li>")[0]
    # Lyon is recognised; Riga, decided in the same call, was not.
    assert (
        '<a href="/recognised?programme=role_model_city&amp;year=2025">1 city recognised</a>'
        in entry
    )
    assert "Announced on Mar 15, 2026" in entry


def test_the_count_leaves_out_what_is_not_public(db, client, published):
    recognition(published.rmc, "Bergen", "NO")
    recognition(published.rmc, "Oslo", "NO", state="recognised")  # never published
    db.session.commit()
    assert "2 cities recognised" in get(client, "/announcements")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?programme=role_model_city", ["Role Model City 2025", "Role Model City 2024"]),
        ("?programme=sasakawa_award", ["Sasakawa Award 2026"]),
        ("?year=2024", ["Role Model City 2024"]),
        ("?year=2026", ["Sasakawa Award 2026"]),
        ("?programme=sasakawa_award&year=2025", []),
        (
            "?programme=nope",
            ["Sasakawa Award 2026", "Role Model City 2025", "Role Model City 2024"],
        ),
        ("?year=1999", []),
    ],
)
def test_the_index_filters_by_programme_and_year(db, client, published, query, expected):
    announced_call(cycle="2024", days=-300, title="Role Model City 2024")
    db.session.commit()
    assert titles(get(client, "/announcements" + query)) == expected


def test_no_match_says_so(client, published):
    html = get(client, "/announcements?year=1999")
    assert "No announcement matches these filters." in html
    assert "No recognition has been announced yet." not in html


def test_the_index_is_paginated_and_pages_keep_the_filters(app, db, client, monkeypatch):
    for year in ("2021", "2022", "2023"):
        announced_call(cycle=year, days=int(year), title=f"Role Model City {year}")
    announced_call("sasakawa_award", cycle="2022", days=5000, title="Sasakawa 2022")
    db.session.commit()
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 2)
    first = get(client, "/announcements?programme=role_model_city")
    assert titles(first) == ["Role Model City 2023", "Role Model City 2022"]
    [next_page] = re.findall(r'<a class="page-link" href="([^"]+)">Next</a>', first)
    assert "programme=role_model_city" in next_page
    assert titles(get(client, next_page.replace("&amp;", "&"))) == ["Role Model City 2021"]


def test_titles_come_in_the_reader_language(db, client, published):
    published.rmc.texts = {"fr": {"title": "Villes modèles 2025"}}
    db.session.commit()
    html = get(client, "/announcements?lang=fr")
    assert '<span lang="fr" dir="ltr">Villes modèles 2025</span></a>' in html
    # Not written in Russian: the source language's title, marked as such.
    html = get(client, "/announcements?lang=ru")
    assert '<span lang="en" dir="ltr">Role Model City 2025</span> <small' in html


def test_the_announcement_page_links_back_to_the_index(client, published):
    html = get(client, f"/announcements/{published.rmc.id}")
    assert '<a href="/announcements">Announcements</a>' in html


def test_the_recognised_page_links_the_index(client, published):
    assert '<a href="/announcements">All announcements</a>' in get(client, "/recognised")
