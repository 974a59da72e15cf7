"""The Atom feed of announcements."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import factories
import pytest

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed(client, query="") -> ET.Element:
    response = client.get("/feed.atom" + query)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.get_data())


def entries(root) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


def test_feed_has_an_entry_per_announced_call_newest_first(client, published):
    titles = [e.findtext(f"{ATOM}title") for e in entries(feed(client))]
    assert titles == ["Sasakawa Award 2026", "Role Model City 2025"]


def test_feed_entry_ids_and_links_point_to_the_announcement(client, published):
    entry = entries(feed(client))[1]
    url = f"http://127.0.0.1:5000/announcements/{published.rmc.id}"  # RECOGNITION_BASE_URL
    assert entry.findtext(f"{ATOM}id") == url
    assert entry.find(f"{ATOM}link").get("href") == url
    assert entry.findtext(f"{ATOM}updated") == "2026-03-15T09:30:00+00:00"


def test_feed_entry_ids_are_unique(client, published):
    ids = [e.findtext(f"{ATOM}id") for e in entries(feed(client))]
    assert len(ids) == len(set(ids))


def test_feed_has_the_required_elements(client, published):
    root = feed(client)
    assert root.findtext(f"{ATOM}id")
    assert root.findtext(f"{ATOM}title")
    assert root.findtext(f"{ATOM}updated") == "2026-05-01T00:00:00+00:00"
    assert root.find(f"{ATOM}author/{ATOM}name").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://127.0.0.1:5000/feed.atom"


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "Congratulations to the cities"), ("fr", "Félicitations aux villes")]
)
def test_feed_content_in_the_reader_language(client, published, lang, text):
    root = feed(client, f"?lang={lang}")
    assert root.get(XML_LANG) == lang
    content = entries(root)[1].find(f"{ATOM}content")
    assert (content.text, content.get(XML_LANG)) == (text, lang)


def test_feed_content_says_its_own_language(client, published):
    """The Sasakawa text exists in Arabic only: an English feed carries it marked Arabic."""
    content = entries(feed(client, "?lang=en"))[0].find(f"{ATOM}content")
    assert (content.text, content.get(XML_LANG)) == ("تهانينا", "ar")


def test_feed_self_link_keeps_the_language(client, published):
    root = feed(client, "?lang=fr")
    assert (
        root.find(f"{ATOM}link[@rel='self']").get("href")
        == "http://127.0.0.1:5000/feed.atom?lang=fr"
    )


def test_feed_without_announcements_is_valid(client, db):
    factories.make_call(state="decided", announcement={"en": "Not yet"})
    db.session.commit()
    root = feed(client)
    assert entries(root) == []
    assert root.findtext(f"{ATOM}updated")


def test_feed_escapes_titles_and_texts(db, client):
    factories.make_call(
        state="announced",
        title="Cities <&> resilience",
        announced_at=datetime(2026, 1, 1),
        announcement={"en": "]]> <b>bold</b> & more"},
    )
    db.session.commit()
    [entry] = entries(feed(client))
    assert entry.findtext(f"{ATOM}title") == "Cities <&> resilience"
    assert entry.findtext(f"{ATOM}content") == "]]> <b>bold</b> & more"


def test_feed_leaves_out_unannounced_calls(client, published):
    titles = {e.findtext(f"{ATOM}title") for e in entries(feed(client))}
    assert "Role Model City 2026" not in titles


def test_feed_self_link_ignores_unknown_languages(client, published):
    root = feed(client, "?lang=xx")
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://127.0.0.1:5000/feed.atom"


def test_recognised_page_links_the_feed_in_its_language(client, published):
    html = client.get("/recognised?lang=zh").get_data(as_text=True)
    assert 'type="application/atom+xml" href="/feed.atom?lang=zh"' in html


def test_feed_links_use_the_configured_address_not_the_host_header(client, published):
    response = client.get("/feed.atom", headers={"Host": "evil.example"})
    assert b"evil.example" not in response.get_data()
    root = ET.fromstring(response.get_data())
    assert root.find(f"{ATOM}link[@rel='self']").get("href").startswith("http://127.0.0.1:5000/")


def test_feed_stays_valid_xml_with_control_characters_stored_before_they_were_filtered(db, client):
    factories.make_call(
        state="announced",
        title="Cities\x01 \x1bresilient",
        announced_at=datetime(2026, 1, 1),
        announcement={"en": "Text with \x07a bell and\x0b a tab"},
    )
    db.session.commit()
    [entry] = entries(feed(client))  # ElementTree refuses control characters: this parses
    assert entry.findtext(f"{ATOM}title") == "Cities resilient"
    assert entry.findtext(f"{ATOM}content") == "Text with a bell and a tab"
