"""The announcement in several languages: the call's source language is marked on the page,
its text is required before the call can be announced, each text in its own direction."""

from __future__ import annotations

import re

import factories
import pytest
from secretariat_support import flashes

from recognition.config import LANGUAGES
from recognition.extensions import db as _db
from recognition.programmes.guards import call_announcement_written
from recognition.programmes.models import Call


def page(call) -> str:
    return f"/secretariat/calls/{call.id}/announcement"


def texts(**values) -> dict[str, str]:
    return {f"text_{code}": values.get(code, "") for code in LANGUAGES}


def announce(client, call):
    return client.post(
        f"/workflow/call/{call.id}/announce", data={"next": page(call), "confirmed": "y"}
    )


@pytest.fixture
def decided(db):
    """A decided call written in French, with one recognised nomination."""
    call = factories.make_call(
        state="decided",
        title="Villes modèles 2026",
        source_language="fr",
        texts={"fr": {"title": "Villes modèles 2026"}, "en": {"title": "Role Model Cities 2026"}},
    )
    factories.make_nomination(call=call, state="recognised", areas_of_strength=[1, 2, 3, 4, 5])
    db.session.commit()
    return call


def test_the_call_cannot_be_announced_without_its_source_languages_text(db, as_officer, decided):
    as_officer.post(page(decided), data=texts(en="Congratulations", ar="تهانينا"))
    announce(as_officer, decided)
    assert _db.session.get(Call, decided.id).state == "decided"
    messages = [message for _category, message in flashes(as_officer)]
    assert any("the call's source language" in m and "French" in m for m in messages), messages


def test_the_call_is_announced_with_its_source_languages_text(db, as_officer, decided):
    as_officer.post(page(decided), data=texts(fr="Félicitations"))
    announce(as_officer, decided)
    assert _db.session.get(Call, decided.id).state == "announced"


@pytest.mark.parametrize(
    ("announcement", "holds"),
    [
        ({"fr": "Félicitations"}, True),
        ({"fr": "Félicitations", "en": "Congratulations"}, True),
        ({"en": "Congratulations"}, False),
        ({"fr": "   ", "en": "Congratulations"}, False),
        ({}, False),
    ],
)
def test_the_rule_reads_the_source_languages_text(app, decided, announcement, holds):
    decided.announcement = announcement
    with app.test_request_context("/"):
        reason = call_announcement_written(decided, None, {})
    assert (reason is None) == holds


def test_the_page_marks_the_source_language(as_officer, decided):
    html = as_officer.get(page(decided)).get_data(as_text=True)
    assert re.search(r'id="announcement-texts-fr"[^>]*data-source-language', html)
    assert not re.search(r'id="announcement-texts-en"[^>]*data-source-language', html)
    assert "Required before the call can be announced." in html
    assert re.search(r'aria-required="true"[^>]*id="text_fr"', html)


def test_each_text_is_typed_in_its_language_and_direction(as_officer, decided):
    html = as_officer.get(page(decided)).get_data(as_text=True)
    for code in LANGUAGES:
        tag = re.search(rf'<textarea[^>]*name="text_{code}"[^>]*>', html).group(0)
        direction = "rtl" if code == "ar" else "ltr"
        assert f'lang="{code}"' in tag and f'dir="{direction}"' in tag, tag


def test_an_announced_calls_texts_are_shown_in_their_direction(db, as_officer, decided):
    decided.state = "announced"
    decided.announcement = {"fr": "Félicitations", "ar": "تهانينا"}
    db.session.commit()
    html = as_officer.get(page(decided)).get_data(as_text=True)
    assert '<p lang="ar" dir="rtl" class="answer">تهانينا</p>' in html
    assert '<p lang="fr" dir="ltr" class="answer">Félicitations</p>' in html


def test_the_page_names_the_call_in_the_officers_language(db, officer, login_as, decided):
    officer.locale = "en"
    db.session.commit()
    html = login_as(officer).get(page(decided)).get_data(as_text=True)
    assert '<span lang="en" dir="ltr">Role Model Cities 2026</span>' in html
