"""Countries and areas come from the UN M49 standard (recognition/data/m49.csv): UN names in
English, CLDR's in the other languages; no Antarctica, no Bouvet Island, no "European
Union"; codes stored before still display."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path
from types import SimpleNamespace

import babel.core
import factories
import pytest
from flask_babel import force_locale

from recognition import i18n
from recognition.i18n import country_choices, country_name, m49_areas

ROOT = Path(__file__).resolve().parents[2]
NOT_A_CITYS_COUNTRY = ["AQ", "BV", "HM", "TF", "GS", "UM", "IO"]
NOT_IN_M49 = ["EU", "EZ", "UN", "XK", "TW", "IC", "EA", "DG", "AC", "CP", "TA", "QO", "ZZ"]


@pytest.fixture
def choices(app):
    def in_language(lang: str) -> dict[str, str]:
        with app.test_request_context(), force_locale(lang):
            return dict(country_choices())

    return in_language


def test_the_choices_are_the_populated_m49_countries_and_areas(choices):
    offered = choices("en")
    assert len(offered) == 241
    assert set(offered) == {a.iso2 for a in m49_areas().values() if a.populated}


@pytest.mark.parametrize("code", NOT_A_CITYS_COUNTRY + NOT_IN_M49)
def test_areas_without_cities_and_other_groupings_are_not_offered(choices, code):
    assert code not in choices("en")


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("GB", "United Kingdom of Great Britain and Northern Ireland"),
        ("BO", "Bolivia (Plurinational State of)"),
        ("TR", "Türkiye"),
        ("HK", "China, Hong Kong Special Administrative Region"),
        ("CI", "Côte d’Ivoire"),
        ("PS", "State of Palestine"),
    ],
)
def test_english_names_are_the_uns(choices, code, name):
    assert choices("en")[code] == name


@pytest.mark.parametrize(
    ("lang", "code", "name"),
    [("fr", "GB", "Royaume-Uni"), ("es", "DE", "Alemania"), ("ru", "FR", "Франция")],
)
def test_other_languages_use_cldrs_names(choices, lang, code, name):
    assert choices(lang)[code] == name


def test_a_name_cldr_lacks_is_the_uns_english_one(app, monkeypatch):
    monkeypatch.setattr(i18n, "get_locale", lambda: SimpleNamespace(language="fr", territories={}))
    assert country_name("BO") == "Bolivia (Plurinational State of)"


@pytest.mark.parametrize(
    ("code", "shown"), [("XK", "Kosovo"), ("tw", "Taiwan"), ("QQ", "QQ"), ("", "")]
)
def test_a_code_stored_before_still_displays(app, code, shown):
    with app.test_request_context(), force_locale("en"):
        assert country_name(code) == shown


def test_a_city_in_a_code_outside_m49_shows_its_page(app, db, client, login_as):
    city = factories.make_city(name="Prishtina", country="XK")
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    response = client.get(f"/cities/{city.id}")
    assert response.status_code == 200
    assert "Kosovo" in response.get_data(as_text=True)


def test_registering_in_antarctica_is_refused_beside_the_field(app, client):
    response = client.post(
        "/register",
        data={
            "name": "Penguin",
            "email": "penguin@south.example",
            "password": "a long enough password",
            "confirm": "a long enough password",
            "locale": "en",
            "city_name": "McMurdo",
            "country": "AQ",
        },
    )
    assert response.status_code == 200
    assert 'id="country-error"' in response.get_data(as_text=True)


def test_the_m49_codes_agree_with_cldrs_mapping():
    """Each M49 code names the ISO country CLDR maps it to (a typo would not)."""
    aliases = babel.core.get_global("territory_aliases")
    for area in m49_areas().values():
        assert aliases.get(area.m49) == [area.iso2], area


def test_the_data_file_ships_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["recognition"]
    assert any(fnmatch.fnmatch("data/m49.csv", p) for p in patterns)
