"""The public side: a recognised city's page shows its confirmed stage, the directory of
recognised cities filters by stage; a pending request is never public; the directory costs
the same number of queries whatever the data size."""

from __future__ import annotations

import re

import pytest
from stages_support import announced_call, count_queries, recognition, stage_at, text_of


@pytest.fixture
def cities(db):
    """Announced recognitions of Makati (stage C), Quito (stage A, asking for B), Almaty
    (asking for A), Chengdu (no stage) and Kobe (stage B, asking for C) (committed)."""
    call = announced_call()
    found = {}
    for name, state in (
        ("Makati", "stage_c"),
        ("Quito", "b_requested"),
        ("Almaty", "a_requested"),
        ("Chengdu", None),
        ("Kobe", "c_requested"),
    ):
        found[name] = recognition(call, name)
        if state:
            stage_at(found[name], state)
    db.session.commit()
    return found


def _listed(client, query: str) -> list[str]:
    html = client.get(f"/recognised{query}").get_data(as_text=True)
    return sorted(re.findall(r'<a href="/recognised/cities/\d+[^"]*" dir="auto">([^<]+)</a>', html))


def _stage_line(client, city) -> str:
    html = client.get(f"/recognised/cities/{city.id}").get_data(as_text=True)
    found = re.search(r'<p class="mcr-stage">(.*?)</p>', html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def test_the_city_page_shows_the_confirmed_stage(client, cities):
    assert _stage_line(client, cities["Makati"]) == (
        "Making Cities Resilient 2030: Stage C: implement better"
    )


def test_a_pending_request_is_not_public(client, cities):
    assert (
        _stage_line(client, cities["Quito"]) == "Making Cities Resilient 2030: Stage A: know better"
    )
    assert (
        _stage_line(client, cities["Kobe"]) == "Making Cities Resilient 2030: Stage B: plan better"
    )
    page = text_of(client.get(f"/recognised/cities/{cities['Kobe'].id}"))
    assert "requested" not in page
    assert _stage_line(client, cities["Almaty"]) == ""
    assert _stage_line(client, cities["Chengdu"]) == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?stage=stage_c", ["Makati"]),
        ("?stage=stage_b", ["Kobe"]),  # asking for C, confirmed at B
        ("?stage=stage_a", ["Quito"]),  # asking for B, confirmed at A
        ("?stage=c_requested", ["Almaty", "Chengdu", "Kobe", "Makati", "Quito"]),  # no filter
        ("?stage=nonsense", ["Almaty", "Chengdu", "Kobe", "Makati", "Quito"]),
        ("?stage=stage_c&country=EC", []),
    ],
)
def test_the_directory_filters_by_confirmed_stage(client, cities, query, expected):
    assert _listed(client, query) == expected


def test_the_stage_filter_offers_the_confirmed_stages_and_shows_the_choice(client, cities):
    html = client.get("/recognised?stage=stage_b").get_data(as_text=True)
    select = html.split('id="p-stage"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "stage_a", "stage_b", "stage_c"]
    assert '<option value="stage_b" selected>Stage B: plan better</option>' in select
    assert '<label class="form-label" for="p-stage">MCR2030 stage</label>' in html
    assert "<title>Recognised cities: Stage B: plan better" in html
    assert "Clear the filters" in html


def test_the_stage_links_to_the_directory_filtered_by_it(client, cities):
    html = client.get(f"/recognised/cities/{cities['Makati'].id}").get_data(as_text=True)
    assert 'href="/recognised?stage=stage_c"' in html


def _directory_queries(client, query: str) -> int:
    with count_queries() as statements:
        assert client.get(f"/recognised{query}").status_code == 200
    return len(statements)


@pytest.mark.parametrize("query", ["?stage=stage_c", "?stage=stage_b&q=a", ""])
def test_the_directory_costs_the_same_queries_whatever_the_size(client, db, query):
    call = announced_call()
    for n in range(2):
        stage_at(recognition(call, f"Town {n}"), "stage_c")
        stage_at(recognition(call, f"Village {n}"), "c_requested")
    db.session.commit()
    small = _directory_queries(client, query)
    for n in range(2, 12):
        stage_at(recognition(call, f"Town {n}"), "stage_c")
        stage_at(recognition(call, f"Village {n}"), "c_requested")
    db.session.commit()
    assert _directory_queries(client, query) == small
    if query == "?stage=stage_c":
        assert len(_listed(client, query)) == 12


def test_the_city_page_costs_one_query_for_the_stage(client, cities):
    with count_queries() as with_stage:
        client.get(f"/recognised/cities/{cities['Makati'].id}")
    with count_queries() as without:
        client.get(f"/recognised/cities/{cities['Chengdu'].id}")
    assert len(with_stage) == len(without)
    assert sum("city_stages" in s for s in with_stage) == 1
