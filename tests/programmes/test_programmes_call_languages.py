"""A call's texts in six languages: the secretariat writes its title, theme and description per
language with a declared source language; pages show the reader's language, else the source
language's, marked, each text with its own lang and dir."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import factories
import pytest
import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event

from recognition.config import LANGUAGES
from recognition.programmes.demo import load_demo_calls
from recognition.programmes.models import Call

TITLES = {
    "en": "Role Model Cities 2027",
    "ar": "المدن النموذجية 2027",
    "es": "Ciudades modelo 2027",
    "fr": "Villes modèles 2027",
    "ru": "Образцовые города 2027",
    "zh": "2027年示范城市",
}
THEMES = {
    "en": "Resilient cities sharing their practice",
    "ar": "مدن قادرة على الصمود تتبادل ممارساتها",
    "es": "Ciudades resilientes que comparten sus prácticas",
    "fr": "Des villes résilientes qui partagent leurs pratiques",
    "ru": "Устойчивые города делятся своей практикой",
    "zh": "分享实践经验的韧性城市",
}
DESCRIPTIONS = {code: f"Description {code}: {TITLES[code]}." for code in LANGUAGES}

FORM = {
    "programme_id": "role_model_city",
    "source_language": "fr",
    "cycle": "2027",
    "opens_at": "2027-01-10T09:00",
    "closes_at": "2027-03-31T18:00",
    "review_deadline": "2027-05-31T18:00",
    "announcement_at": "",
    "reviewers_per_nomination": "3",
    "disagreement_threshold": "2",
    **{f"title_{code}": TITLES[code] for code in LANGUAGES},
    **{f"theme_{code}": THEMES[code] for code in LANGUAGES},
    **{f"description_{code}": DESCRIPTIONS[code] for code in LANGUAGES},
}
ALL_TEXTS = {
    code: {"title": TITLES[code], "theme": THEMES[code], "description": DESCRIPTIONS[code]}
    for code in LANGUAGES
}


def text(response) -> str:
    return response.get_data(as_text=True)


def error_of(html: str, field_id: str) -> str | None:
    """The error shown beside the field, if any."""
    found = re.search(
        rf'<div id="{field_id}-error" class="invalid-feedback d-block">([^<]*)<', html
    )
    return found.group(1) if found else None


class FormValues(HTMLParser):
    """The values a browser would send for the first form with a submit button: inputs,
    textareas and selected options (what the page shows is what is sent back)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("checkbox", "submit"):
            self.values[name] = attrs.get("value") or ""
        elif tag == "input" and name and "checked" in attrs:
            self.values[name] = attrs.get("value") or "y"
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # A browser drops the newline that follows <textarea>.
            value = self.values[self._textarea] + data
            self.values[self._textarea] = re.sub(r"^\r?\n", "", value)


def form_values(html: str) -> dict[str, str]:
    parser = FormValues()
    parser.feed(html[html.index("<main") :])
    parser.values.pop("lang", None)  # the language menu
    parser.values.pop("next", None)
    return parser.values


def only_call(db) -> Call:
    return db.session.scalars(sa.select(Call)).one()


@pytest.fixture
def officer(db):
    return factories.make_secretariat(timezone="UTC")


@pytest.fixture
def as_officer(db, officer, login_as):
    db.session.commit()
    return login_as(officer)


# -- the form --------------------------------------------------------------------------------


def test_the_form_saves_six_languages_and_the_source_language(db, as_officer):
    response = as_officer.post("/calls/new", data=FORM)
    assert response.status_code == 302
    call = only_call(db)
    assert call.source_language == "fr"
    assert call.texts == ALL_TEXTS


def test_title_and_theme_columns_keep_the_source_languages(db, as_officer):
    as_officer.post("/calls/new", data=FORM)
    call = only_call(db)
    assert (call.title, call.theme) == (TITLES["fr"], THEMES["fr"])


def test_only_the_source_language_is_needed(db, as_officer):
    data = {key: value for key, value in FORM.items() if not key.endswith(("_en", "_ar"))}
    data.update({f"title_{c}": "" for c in ("es", "ru", "zh")})
    response = as_officer.post("/calls/new", data=data)
    assert response.status_code == 302
    call = only_call(db)
    assert call.texts["fr"]["title"] == TITLES["fr"]
    assert "en" not in call.texts and "ar" not in call.texts
    assert "title" not in call.texts["zh"] and call.texts["zh"]["theme"] == THEMES["zh"]


@pytest.mark.parametrize("empty", ["", "   "])
def test_the_source_languages_title_is_required_beside_its_field(db, as_officer, empty):
    response = as_officer.post("/calls/new", data={**FORM, "title_fr": empty})
    html = text(response)
    assert response.status_code == 200
    assert error_of(html, "title_fr") == "The title in the source language is required."
    assert [error_of(html, f"title_{c}") for c in LANGUAGES if c != "fr"] == [None] * 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0


def test_another_languages_title_is_optional(db, as_officer):
    response = as_officer.post("/calls/new", data={**FORM, "title_en": ""})
    assert response.status_code == 302
    assert "title" not in only_call(db).texts["en"]


def test_an_unknown_source_language_is_refused_beside_the_field(db, as_officer):
    response = as_officer.post("/calls/new", data={**FORM, "source_language": "de"})
    assert response.status_code == 200
    assert error_of(text(response), "source_language") == "Not a valid choice."


@pytest.mark.parametrize(
    ("field", "length"), [("title_ar", 201), ("theme_zh", 301), ("description_ru", 5001)]
)
def test_too_long_texts_are_refused_beside_the_field(db, as_officer, field, length):
    response = as_officer.post("/calls/new", data={**FORM, field: "x" * length})
    assert response.status_code == 200
    assert error_of(text(response), field)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Call)) == 0


def test_each_language_field_has_its_language_and_direction(db, as_officer):
    html = text(as_officer.get("/calls/new"))
    for code in LANGUAGES:
        direction = "rtl" if code == "ar" else "ltr"
        for name in ("title", "theme", "description"):
            tag = re.search(rf'<(?:input|textarea)[^>]*\bid="{name}_{code}"[^>]*>', html).group(0)
            assert f'lang="{code}"' in tag and f'dir="{direction}"' in tag, tag


def test_the_form_has_a_fieldset_per_language_usable_without_script(db, as_officer):
    """Without JavaScript the six languages are stacked fieldsets, none hidden."""
    html = text(as_officer.get("/calls/new"))
    block = html[html.index('id="call-texts"') : html.index(">Review</legend>")]
    panes = re.findall(r'<div id="call-texts-(\w+)"[^>]*>\s*<fieldset', block)
    assert panes == list(LANGUAGES)
    assert "tab-pane" not in block and "d-none" not in block
    assert not re.search(r"<[^>]*\shidden[\s>=]", block)


def test_the_source_language_is_marked_and_its_title_required(db, as_officer):
    html = text(as_officer.post("/calls/new", data={**FORM, "title_fr": ""}))
    assert re.search(r'id="call-texts-fr"[^>]*data-source-language', html)
    assert not re.search(r'id="call-texts-en"[^>]*data-source-language', html)
    assert re.search(r'aria-required="true"[^>]*id="title_fr"', html)
    assert not re.search(r'aria-required="true"[^>]*id="title_en"', html)


# -- editing ---------------------------------------------------------------------------------


def test_editing_shows_what_is_stored(db, as_officer):
    as_officer.post("/calls/new", data=FORM)
    call = only_call(db)
    shown = form_values(text(as_officer.get(f"/calls/{call.id}/edit")))
    assert shown["source_language"] == "fr"
    for code in LANGUAGES:
        assert shown[f"title_{code}"] == TITLES[code]
        assert shown[f"theme_{code}"] == THEMES[code]
        assert shown[f"description_{code}"] == DESCRIPTIONS[code]


def test_editing_keeps_all_languages(db, as_officer):
    """The edit form sent back as shown, with one date changed: every text stays."""
    as_officer.post("/calls/new", data=FORM)
    call = only_call(db)
    shown = form_values(text(as_officer.get(f"/calls/{call.id}/edit")))
    response = as_officer.post(
        f"/calls/{call.id}/edit", data={**shown, "closes_at": "2027-04-30T18:00"}
    )
    assert response.status_code == 302
    db.session.refresh(call)
    assert call.texts == ALL_TEXTS
    assert (call.source_language, call.title) == ("fr", TITLES["fr"])


def test_changing_the_source_language_moves_the_title_column(db, as_officer):
    as_officer.post("/calls/new", data=FORM)
    call = only_call(db)
    shown = form_values(text(as_officer.get(f"/calls/{call.id}/edit")))
    as_officer.post(f"/calls/{call.id}/edit", data={**shown, "source_language": "zh"})
    db.session.refresh(call)
    assert (call.source_language, call.title, call.theme) == ("zh", TITLES["zh"], THEMES["zh"])


def test_a_call_without_texts_shows_its_title_in_the_source_language(db, as_officer):
    """Calls written before the texts per language: the title and theme columns."""
    call = factories.make_call(state="draft", title="Role Model City 2025", theme="Older theme")
    db.session.commit()
    shown = form_values(text(as_officer.get(f"/calls/{call.id}/edit")))
    assert (shown["source_language"], shown["title_en"], shown["theme_en"]) == (
        "en",
        "Role Model City 2025",
        "Older theme",
    )
    assert shown["title_fr"] == ""


# -- pages -----------------------------------------------------------------------------------


def make_multilingual_call(**fields) -> Call:
    texts = {code: {"title": TITLES[code], "theme": THEMES[code]} for code in ("en", "ar", "fr")}
    return factories.make_call(
        title=TITLES["en"], theme=THEMES["en"], source_language="en", texts=texts, **fields
    )


def test_a_page_in_arabic_shows_the_arabic_title_with_its_direction(db, client):
    call = make_multilingual_call()
    db.session.commit()
    html = text(client.get(f"/calls/{call.id}?lang=ar"))
    assert f'<h1><span lang="ar" dir="rtl">{TITLES["ar"]}</span></h1>' in html
    assert f'<span lang="ar" dir="rtl">{THEMES["ar"]}</span>' in html
    assert TITLES["en"] not in html


def test_a_language_without_a_title_shows_the_source_languages_marked(db, client):
    call = make_multilingual_call()
    db.session.commit()
    html = text(client.get(f"/calls/{call.id}?lang=ru"))
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert f'<span lang="en" dir="ltr">{TITLES["en"]}</span>' in heading
    assert 'class="text-body-secondary fallback-note"' in heading
    assert TITLES["ru"] not in html


def test_the_readers_own_language_is_not_marked(db, client):
    call = make_multilingual_call()
    db.session.commit()
    heading = re.search(r"<h1>(.*?)</h1>", text(client.get(f"/calls/{call.id}?lang=fr")), re.S)
    assert TITLES["fr"] in heading.group(1)
    assert "fallback-note" not in heading.group(1)


def test_the_description_is_shown_in_the_readers_language(db, client):
    texts = {"en": {"title": "Call", "description": "In English"}, "es": {"description": "Uno"}}
    call = factories.make_call(title="Call", texts=texts)
    db.session.commit()
    html = text(client.get(f"/calls/{call.id}?lang=es"))
    assert '<div lang="es" dir="ltr" class="answer">Uno</div>' in html


def test_the_list_of_calls_names_each_call_in_the_readers_language(db, client):
    make_multilingual_call()
    db.session.commit()
    html = text(client.get("/calls?lang=ar"))
    assert f'<span lang="ar" dir="rtl">{TITLES["ar"]}</span>' in html


def test_the_list_of_calls_costs_the_same_queries_whatever_its_length(db, client):
    def queries() -> int:
        counter = [0]

        def count(*args):
            counter[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/calls?lang=ar").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return counter[0]

    for _ in range(2):
        make_multilingual_call()
    db.session.commit()
    few = queries()
    for _ in range(20):
        make_multilingual_call()
    db.session.commit()
    assert queries() == few


# -- demo data -------------------------------------------------------------------------------


def test_the_demo_calls_have_titles_and_themes_in_six_languages(db):
    load_demo_calls(factories.make_secretariat())
    calls = db.session.scalars(sa.select(Call)).all()
    assert len(calls) == len(current_app.extensions["programmes"])
    for call in calls:
        assert sorted(call.texts) == sorted(LANGUAGES)
        for code in LANGUAGES:
            assert call.texts[code]["title"] and call.texts[code]["theme"], (call.title, code)
        assert len({call.texts[code]["title"] for code in LANGUAGES}) == len(LANGUAGES)
        assert call.title == call.texts["en"]["title"]
