"""Public pages without sign-in: recognised cities, city pages, announcements; every UI
language; nothing unannounced."""

from __future__ import annotations

import re

import factories
import pytest
from public_support import recognition

from recognition.config import LANGUAGES

NAMES = ("Lyon", "Riga", "Manila", "Porto")


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(html: str) -> set[str]:
    return {
        n for n in NAMES if re.search(rf'<a href="/recognised/cities/\d+" dir="auto">{n}</a>', html)
    }


def test_recognised_lists_announced_cities_only(client, published):
    assert listed(get(client, "/recognised")) == {"Lyon", "Manila"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?programme=role_model_city", {"Lyon"}),
        ("?programme=sasakawa_award", {"Manila"}),
        ("?year=2025", {"Lyon"}),
        ("?year=2026", {"Manila"}),
        ("?programme=role_model_city&year=2026", set()),
        ("?programme=nope", {"Lyon", "Manila"}),
        ("?year=1999", set()),
        ("?year=%27%3B--", set()),
    ],
)
def test_recognised_filters(client, published, query, expected):
    assert listed(get(client, "/recognised" + query)) == expected


def test_recognised_years_come_from_announced_calls(client, published):
    html = get(client, "/recognised")
    assert re.findall(r'<option value="(\d{4})"', html) == ["2026", "2025"]


def test_recognised_shows_the_level_and_the_areas(client, published):
    html = get(client, "/recognised")
    assert "Laureate" in html
    assert "5 areas of strength" in html


def test_recognised_is_paginated(app, db, client, published, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 1)
    first, second = get(client, "/recognised"), get(client, "/recognised?page=2")
    assert listed(first) == {"Manila"}
    assert listed(second) == {"Lyon"}


def test_nothing_announced_yet(client, db):
    factories.make_nomination(state="recognised")
    factories.make_nomination(state="draft")
    db.session.commit()
    assert "No recognition has been announced yet." in get(client, "/recognised")


def test_city_page_shows_recognitions_and_areas(client, published):
    html = get(client, f"/recognised/cities/{published.lyon.city_id}")
    assert '<h1 dir="auto">Lyon</h1>' in html
    assert "Role Model City 2025" in html
    titles = re.findall(r"<li>(Essential \d+:[^<]*)</li>", html)
    assert len(titles) == 5 and titles[0].startswith("Essential 1:")
    assert f"/nominations/{published.lyon.id}/certificate.pdf" in html


def test_city_page_shows_the_level(client, published):
    html = get(client, f"/recognised/cities/{published.manila.city_id}")
    sasakawa = "UN Sasakawa Award for Disaster Risk Reduction 2026"
    assert re.search(rf'<h2 class="h4" id="recognition-\d+">{sasakawa}</h2>', html)
    assert '<p class="fs-5">Laureate</p>' in html


def test_city_page_lists_only_announced_recognitions(db, client, published):
    """Lyon was recognised in 2025; its 2026 recognition is decided but not announced."""
    later = factories.make_nomination(
        call=published.pending, city=published.lyon.city, state="recognised"
    )
    db.session.commit()
    html = get(client, f"/recognised/cities/{published.lyon.city_id}")
    assert f"/nominations/{later.id}/certificate.pdf" not in html
    assert html.count('<section class="card mb-3"') == 1


@pytest.mark.parametrize("name", ["riga", "porto"])
def test_city_without_announced_recognition_is_404(client, published, name):
    city_id = getattr(published, name).city_id
    assert client.get(f"/recognised/cities/{city_id}").status_code == 404


def test_unknown_city_is_404(client, published):
    assert client.get("/recognised/cities/999999").status_code == 404


def test_announcement_page(client, published):
    html = get(client, f"/announcements/{published.rmc.id}")
    assert "Congratulations to the cities" in html
    assert listed(html) == {"Lyon"}


def test_announcement_in_the_reader_language(client, published):
    html = get(client, f"/announcements/{published.rmc.id}?lang=fr")
    assert '<div lang="fr" dir="ltr" class="answer">Félicitations aux villes</div></div>' in html


def test_announcement_falls_back_to_english(client, published):
    html = get(client, f"/announcements/{published.rmc.id}?lang=ru")
    assert (
        '<div lang="en" dir="ltr" class="answer">Congratulations to the cities</div> '
        '<small class="text-body-secondary fallback-note">'
    ) in html


def test_announcement_falls_back_to_the_only_text(client, published):
    html = get(client, f"/announcements/{published.sasakawa.id}?lang=es")
    assert '<div lang="ar" dir="rtl" class="answer">تهانينا</div>' in html


@pytest.mark.parametrize("state", ["draft", "open", "closed", "reviewing", "decided"])
def test_unannounced_call_has_no_announcement_page(db, client, state):
    call = factories.make_call(state=state, announcement={"en": "Secret"})
    db.session.commit()
    assert client.get(f"/announcements/{call.id}").status_code == 404


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "path", ["/recognised", "/recognised/cities/{city}", "/announcements/{call}"]
)
def test_public_pages_in_every_language(client, published, lang, path):
    url = path.format(city=published.lyon.city_id, call=published.rmc.id) + f"?lang={lang}"
    html = get(client, url)
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert "Lyon" in html


def test_arabic_uses_the_rtl_stylesheet(client, published):
    assert "bootstrap.rtl.min.css" in get(client, "/recognised?lang=ar")


def test_country_names_follow_the_language(client, published):
    assert "Филиппины" in get(client, "/recognised?lang=ru")


@pytest.mark.parametrize(
    "path",
    [
        "/recognised",
        "/recognised/cities/{porto_city}",
        "/announcements/{pending}",
        "/feed.atom",
    ],
)
def test_nothing_unannounced_is_public(client, published, path):
    url = path.format(porto_city=published.porto.city_id, pending=published.pending.id)
    response = client.get(url)
    assert b"Porto" not in response.get_data()
    assert b"Riga" not in response.get_data()


@pytest.mark.parametrize(
    "path",
    [
        "/recognised/cities/99999999999999999999",
        "/announcements/99999999999999999999",
        "/nominations/99999999999999999999/certificate.pdf",
    ],
)
def test_huge_numbers_are_404(client, path):
    assert client.get(path).status_code == 404


def test_recognised_escapes_city_names(db, client, published):
    recognition(published.rmc, "<script>alert(1)</script>")
    db.session.commit()
    html = get(client, "/recognised")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_nomination_announced_before_its_call_stays_private(db, client, published):
    early = recognition(published.pending, "Early")
    db.session.commit()
    # Named nowhere: the page does name "Early warning systems" (Essential 9, 2010).
    assert not re.search(r">Early\b", get(client, "/recognised"))
    assert client.get(f"/recognised/cities/{early.city_id}").status_code == 404
