"""The directory of recognised cities: filters, search, pagination, and nothing unannounced."""

from __future__ import annotations

import re

import pytest
from public_support import announced_call, city_links, get, recognition

EVERYONE = ["Lyon", "Manila", "Quito", "Cusco"]


@pytest.fixture
def directory(db, published):
    """Beside ``published`` (Lyon FR, Role Model City 2025, Essentials 1-5; Manila PH,
    Sasakawa 2026; Riga and Porto not public): Quito (EC, Pichincha) recognised in 2024 in
    Essentials 6-10, and Cusco (PE, Cusco region) Sasakawa 2024 (committed)."""
    published.lyon.city.region = "Auvergne-Rhône-Alpes"
    rmc_2024 = announced_call(cycle="2024", days=-300, title="Role Model City 2024")
    sasakawa_2024 = announced_call("sasakawa_award", cycle="2024", days=-200)
    recognition(rmc_2024, "Quito", "EC", region="Pichincha", areas_of_strength=[6, 7, 8, 9, 10])
    recognition(sasakawa_2024, "Cusco", "PE", region="Cusco", award_level="distinction")
    db.session.commit()
    return published


def names(client, query: str) -> set[str]:
    return set(city_links(get(client, "/recognised" + query)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", EVERYONE),
        ("?programme=role_model_city", ["Lyon", "Quito"]),
        ("?programme=sasakawa_award", ["Manila", "Cusco"]),
        ("?year=2024", ["Quito", "Cusco"]),
        ("?year=2026", ["Manila"]),
        ("?country=EC", ["Quito"]),
        ("?country=ec", ["Quito"]),
        ("?country=PT", []),  # Porto's recognition is not announced
        ("?country=LV", []),  # Riga was not recognised
        ("?region=Pichincha", ["Quito"]),
        ("?region=Auvergne-Rh%C3%B4ne-Alpes", ["Lyon"]),
        ("?essential=3", ["Lyon"]),
        ("?essential=7", ["Quito"]),
        ("?essential=5", ["Lyon"]),
        ("?essential=6", ["Quito"]),
        ("?programme=role_model_city&year=2024", ["Quito"]),
        ("?programme=sasakawa_award&country=PE", ["Cusco"]),
        ("?essential=3&country=EC", []),
        ("?year=2024&region=Cusco", ["Cusco"]),
        # What the directory does not know is no filter, never an error.
        ("?programme=nope", EVERYONE),
        ("?essential=99", EVERYONE),
        ("?essential=-1", EVERYONE),
        ("?essential=three", EVERYONE),
        ("?country=%E2%98%83%E2%98%83", EVERYONE),
        ("?country=France", EVERYONE),
        ("?year=%27%3B--", []),
        ("?region=%25", []),
    ],
)
def test_each_filter_narrows_the_directory(client, directory, query, expected):
    assert names(client, query) == set(expected)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("lyo", ["Lyon"]),
        ("LYON", ["Lyon"]),
        ("  quito  ", ["Quito"]),
        ("pichin", ["Quito"]),  # the region
        ("rhône", ["Lyon"]),
        ("cusco", ["Cusco"]),  # name and region alike, listed once
        ("philipp", ["Manila"]),  # the country's name in English
        ("ecuador", ["Quito"]),
        ("fr", ["Lyon"]),  # France
        ("porto", []),  # not announced
        ("riga", []),
        ("latvia", []),
        ("%", []),  # LIKE's wildcards are searched as typed
        ("_", []),
        ("zzz", []),
        ("", EVERYONE),
    ],
)
def test_search_looks_in_names_regions_and_countries(client, directory, search, expected):
    assert names(client, f"?q={search}") == set(expected)


@pytest.mark.parametrize(
    ("lang", "search", "expected"),
    [
        ("es", "filipinas", ["Manila"]),
        ("fr", "pérou", ["Cusco"]),
        ("ru", "Франц", ["Lyon"]),
        ("ar", "الفلبين", ["Manila"]),
        ("zh", "厄瓜多尔", ["Quito"]),
    ],
)
def test_search_finds_country_names_in_the_reader_language(
    client, directory, lang, search, expected
):
    assert names(client, f"?lang={lang}&q={search}") == set(expected)


def test_search_and_filters_combine(client, directory):
    assert names(client, "?q=o&programme=sasakawa_award") == {"Cusco"}  # Manila has no "o"
    assert names(client, "?q=o&year=2025") == {"Lyon"}


def test_a_very_long_search_is_cut_not_refused(client, directory):
    assert names(client, "?q=" + "lyon" * 500) == set()
    assert names(client, "?q=lyon" + " " * 500 + "x") == set()


def test_the_filters_are_shown_as_chosen(client, directory):
    html = get(
        client, "/recognised?programme=role_model_city&year=2024&country=EC&essential=7&q=qu"
    )
    assert '<option value="role_model_city" selected>' in html
    assert '<option value="2024" selected>' in html
    assert '<option value="EC" selected>' in html
    # The old address's number is the 2010 edition's Essential, chosen in its group.
    assert '<option value="2010:7" selected>' in html
    assert 'name="q" value="qu"' in html


def test_the_country_choices_are_the_recognised_countries_in_the_reader_language(client, directory):
    html = get(client, "/recognised?lang=ru")
    select = html.split('id="p-country"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([A-Z]{2})">([^<]+)</option>', select)
    assert sorted(code for code, _name in options) == ["EC", "FR", "PE", "PH"]
    assert dict(options)["PH"] == "Филиппины"
    assert [name for _code, name in options] == sorted(name for _code, name in options)


def test_the_region_choices_follow_the_country(client, directory):
    def regions(query):
        html = get(client, "/recognised" + query)
        select = html.split('id="p-region"')[1].split("</select>")[0]
        return re.findall(r'<option value="([^"]+)"', select)

    assert regions("") == ["Auvergne-Rhône-Alpes", "Cusco", "Pichincha"]
    assert regions("?country=EC") == ["Pichincha"]


def test_the_essential_choices_name_the_essentials_of_their_edition(client, directory):
    html = get(client, "/recognised")
    select = html.split('id="p-essential"')[1].split("</select>")[0]
    # Only the Role Model City names areas of strength (the Resilience Hub decides a level):
    # its edition, 2010, all ten.
    assert re.findall(r'<optgroup label="([^"]+)">', select) == ["The Ten Essentials (2010)"]
    assert len(re.findall(r'<option value="2010:\d+"', select)) == 10
    assert (
        '<option value="2010:1">Essential 1: Organisation and coordination for risk reduction, '
        "with citizens and civil society</option>" in select
    )


def test_pages_keep_the_filters(app, client, directory, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 1)
    html = get(client, "/recognised?programme=role_model_city&q=o")
    assert city_links(html) == ["Lyon"]  # the newest cycle first
    [next_page] = re.findall(r'<a class="page-link" href="([^"]+)">Next</a>', html)
    assert "programme=role_model_city" in next_page and "q=o" in next_page
    assert "page=2" in next_page
    assert city_links(get(client, next_page.replace("&amp;", "&"))) == ["Quito"]


def test_country_links_keep_the_other_filters(client, directory):
    html = get(client, "/recognised?programme=sasakawa_award")
    assert 'href="/recognised?programme=sasakawa_award&amp;country=PE">' in html


def test_the_directory_is_ordered_newest_cycle_first_then_by_programme(client, directory):
    assert city_links(get(client, "/recognised")) == ["Manila", "Lyon", "Quito", "Cusco"]


def test_no_match_says_so(client, directory):
    html = get(client, "/recognised?q=zzz")
    assert "No recognised city matches these filters." in html
    assert 'href="/recognised">Clear the filters</a>' in html
    assert "No recognition has been announced yet." not in html


def test_the_count_of_what_was_found(client, directory):
    assert "2 recognitions found." in get(client, "/recognised?year=2024")


def test_the_language_given_in_the_address_stays_in_the_form(client, directory):
    html = get(client, "/recognised?lang=fr&q=quito")
    assert '<input type="hidden" name="lang" value="fr">' in html
    assert 'href="/recognised?lang=fr">' in html  # clear the filters, in French still
