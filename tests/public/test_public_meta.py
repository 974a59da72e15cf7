"""Titles, descriptions and Open Graph tags of the public pages, in the reader's language, so
that a shared link shows what it leads to; the feed's own title and subtitle translated."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from babel.messages.extract import extract_from_file
from babel.support import NullTranslations
from public_support import get, meta_tags

from recognition.config import LANGUAGES
from recognition.public import views

BASE = "http://127.0.0.1:5000"  # RECOGNITION_BASE_URL in the tests
OG_LOCALES = {
    "en": "en_US",
    "ar": "ar_EG",
    "es": "es_ES",
    "fr": "fr_FR",
    "ru": "ru_RU",
    "zh": "zh_CN",
}
PAGES = {
    "directory": "/recognised",
    "city": "/recognised/cities/{city}",
    "index": "/announcements",
    "announcement": "/announcements/{call}",
}


def url(published, page: str) -> str:
    return PAGES[page].format(city=published.lyon.city_id, call=published.rmc.id)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_has_a_title_a_description_and_open_graph_tags(
    client, published, page, lang
):
    path = url(published, page)
    html = get(client, f"{path}?lang={lang}")
    tags = meta_tags(html)
    [title] = tags["og:title"]
    [description] = tags["description"]
    assert title and f"<title>{title} · " in html
    assert description and len(description) <= 200
    assert tags["og:description"] == [description]
    assert tags["og:type"] == ["article" if page == "announcement" else "website"]
    assert tags["og:url"] == [f"{BASE}{path}?lang={lang}"]
    assert tags["og:locale"] == [OG_LOCALES[lang]]
    assert sorted(tags["og:locale:alternate"]) == sorted(
        v for k, v in OG_LOCALES.items() if k != lang
    )
    for code in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{code}" href="{BASE}{path}?lang={code}">' in html


def test_the_city_description_says_what_it_was_recognised_for(client, published):
    tags = meta_tags(get(client, f"/recognised/cities/{published.manila.city_id}"))
    assert tags["og:title"] == ["Manila"]
    assert tags["description"] == [
        "Manila (Philippines). Recognitions: "
        "UN Sasakawa Award for Disaster Risk Reduction 2026: Laureate."
    ]


@pytest.mark.parametrize(
    ("lang", "country", "programme"),
    [
        ("ru", "Франция", "Образцовый город"),
        ("fr", "France", "Ville modèle"),
        ("ar", "فرنسا", "المدينة النموذجية"),
        ("zh", "法国", "示范城市"),
    ],
)
def test_the_city_description_is_in_the_reader_language(
    client, published, lang, country, programme
):
    tags = meta_tags(get(client, f"/recognised/cities/{published.lyon.city_id}?lang={lang}"))
    [description] = tags["description"]
    assert country in description
    assert programme in description


def test_the_announcement_is_described_by_its_text_in_the_reader_language(client, published):
    tags = meta_tags(get(client, f"/announcements/{published.rmc.id}?lang=fr"))
    assert tags["description"] == ["Félicitations aux villes"]
    assert tags["article:published_time"] == ["2026-03-15T09:30:00+00:00"]


def test_without_a_text_in_the_reader_language_the_announcement_names_its_cities(client, published):
    tags = meta_tags(get(client, f"/announcements/{published.rmc.id}?lang=ru"))
    [description] = tags["description"]
    assert "Lyon" in description
    assert "Congratulations" not in description  # the English text is no Russian summary


def test_the_announcement_title_is_the_call_title_in_the_reader_language(db, client, published):
    published.rmc.texts = {"fr": {"title": "Villes modèles 2025"}}
    db.session.commit()
    html = get(client, f"/announcements/{published.rmc.id}?lang=fr")
    assert meta_tags(html)["og:title"] == ["Villes modèles 2025"]
    assert "<title>Villes modèles 2025 · " in html


def test_the_directory_title_names_its_filters(client, published):
    html = get(client, "/recognised?programme=role_model_city&year=2025&q=ly")
    [title] = meta_tags(html)["og:title"]
    assert title == "Recognised cities: Role Model City, 2025, and matching “ly”"
    assert meta_tags(html)["og:url"] == [
        f"{BASE}/recognised?programme=role_model_city&amp;year=2025&amp;q=ly&amp;lang=en"
    ]


def test_long_descriptions_are_cut_at_a_word(db, client, published):
    published.rmc.announcement = {"en": "Congratulations " * 40}
    db.session.commit()
    [description] = meta_tags(get(client, f"/announcements/{published.rmc.id}"))["description"]
    assert len(description) <= 200
    assert description.endswith("Congratulations…")


def test_open_graph_addresses_ignore_the_host_header(client, published):
    response = client.get("/recognised", headers={"Host": "evil.example"})
    assert b"evil.example" not in response.get_data()


def test_pages_of_signed_in_users_carry_no_open_graph_tags(client, login_as, db):
    """The meta block is the public pages' own: other pages stay as they were."""
    assert "og:title" not in get(client, "/login")


# -- The feed's title and subtitle ------------------------------------------------------------


class Marked(NullTranslations):
    """A catalog that translates every message into "«message»"."""

    def gettext(self, message):
        return f"«{message}»"

    ugettext = gettext


ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_title_and_subtitle_are_translated(client, published, monkeypatch):
    monkeypatch.setattr("flask_babel.Domain.get_translations", lambda self: Marked())
    root = ET.fromstring(client.get("/feed.atom?lang=fr").get_data())
    assert root.findtext(f"{ATOM}title") == "«Recognition: announcements»"
    assert root.findtext(f"{ATOM}subtitle").startswith("«The cities recognised")
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "«Recognition»"


def test_the_feed_title_and_subtitle_reach_the_catalogs():
    """pybabel reads Python and HTML templates, not the feed's XML: the strings must be in
    the view to be extracted and translated."""
    found = {
        message
        for _line, message, _comments, _context in extract_from_file("python", views.__file__)
    }
    assert "Recognition: announcements" in found
    assert "The cities recognised by each programme, as each call is announced." in found


def test_the_feed_links_the_announcements_in_its_language(client, published):
    root = ET.fromstring(client.get("/feed.atom?lang=es").get_data())
    alternate = root.find(f"{ATOM}link[@rel='alternate']")
    assert alternate.get("href") == f"{BASE}/announcements?lang=es"


def test_feed_entry_titles_come_in_the_reader_language(db, client, published):
    published.rmc.texts = {"fr": {"title": "Villes modèles 2025"}}
    db.session.commit()
    root = ET.fromstring(client.get("/feed.atom?lang=fr").get_data())
    title = root.findall(f"{ATOM}entry")[1].find(f"{ATOM}title")
    assert (title.text, title.get("{http://www.w3.org/XML/1998/namespace}lang")) == (
        "Villes modèles 2025",
        "fr",
    )


@pytest.mark.parametrize("page", PAGES)
def test_links_take_no_url_options_from_the_address(client, published, page):
    """``_external``, ``_scheme``, ``_anchor`` are url_for's options, not filters: the links
    a page builds from its own address ignore them."""
    path = url(published, page) + "?_external=1&_scheme=javascript&_anchor=x&lang=en"
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "evil.example" not in html
    links = re.findall(r'(?:href|content)="([^"]*)"', html)
    assert [link for link in links if "javascript" in link or link.endswith("#x")] == []
