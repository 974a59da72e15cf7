"""The message catalogs: complete, compiled, placeholders intact, plural forms right."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from recognition.config import LANGUAGES
from recognition.translations_check import PLURAL_FORMS, check_catalogs

ROOT = Path(__file__).resolve().parents[2] / "translations"

#: Words that really are the same in a language and in English (checked by the translators).
SAME_AS_ENGLISH = {
    "fr": {
        "Webhooks",
        "Action",
        "Actions",
        "Affiliations",
        "Cycle",
        "Description",
        "Document",
        "Innovation",
        "Jury",
        "Organisation",
        "Menu",
        "Motivation",
        "Notifications",
        "Pages",
        "Panel",
        "Population",
        "Programme",
        "Question",
        "Sessions",
        "Site",
        "Transitions",
        "Tsunamis",
        "Zoom",
        "final",
    },
    "es": {"Tsunamis", "%(size)s KB", "PDF, %(size)s KB", "Zoom", "Token", "Webhooks"},
    "zh": {"%(size)s KB"},
}
#: Messages with nothing to translate but placeholders and symbols.
ALLOWED_SAME = {
    "≥ %(num)s",
    "%(name)s: %(reasons)s",
    "%(name)s, %(when)s",
    "“%(stage)s”",
    "%(where)s: %(message)s",
    "%(workflow)s: %(transition)s",
    "%(done)s of %(total)s",
    "%(score)s/%(max)s",
    "#",
}


def catalog(lang: str):
    with open(ROOT / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def test_every_catalog_is_complete_and_clean():
    assert check_catalogs(ROOT) == []


def _key(value):
    """Plural ids and strings come as lists from a .mo and tuples from a .po."""
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_po(lang):
    po = catalog(lang)
    with open(ROOT / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        mo = read_mo(fh)
    po_strings = {_key(m.id): _key(m.string) for m in po if m.id and m.string}
    mo_strings = {_key(m.id): _key(m.string) for m in mo if m.id}
    assert mo_strings == po_strings, "run: make translations"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_differ_from_english(lang):
    """A translation equal to its English msgid is a forgotten one, except real homographs."""
    same = [
        m.id
        for m in catalog(lang)
        if m.id
        and isinstance(m.id, str)
        and m.string == m.id
        and m.id not in ALLOWED_SAME
        and m.id not in SAME_AS_ENGLISH.get(lang, set())
        and any(ch.isalpha() for ch in m.id)
    ]
    assert same == []


@pytest.mark.parametrize("lang, forms", sorted(PLURAL_FORMS.items()))
def test_plural_forms(lang, forms):
    assert catalog(lang).num_plurals == forms


def test_glossary_names_the_campaign_terms_in_every_language():
    text = (ROOT / "GLOSSARY.md").read_text(encoding="utf-8")
    for term in (
        "Role Model City",
        "the Ten Essentials",
        "nomination",
        "call",
        "reviewer",
        "recognised",
    ):
        row = next(line for line in text.splitlines() if line.startswith(f"| {term}"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 6 and all(cells), row


def test_every_message_of_the_sources_is_in_every_catalog(tmp_path):
    """A message added to the code, a template or a YAML definition without running
    ``flask translate update`` (and translating it) would show in English: refuse that."""
    pot = tmp_path / "messages.pot"
    keywords = "-k _l -k lazy_gettext -k lazy_ngettext:1,2"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
        + keywords.split()
        + ["--no-location", "-o", str(pot), "."],
        cwd=ROOT.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    with open(pot, "rb") as fh:
        wanted = {_key(m.id) for m in read_po(fh) if m.id}
    for lang in LANGUAGES:
        have = {_key(m.id) for m in catalog(lang) if m.id}
        assert sorted(map(str, wanted - have)) == [], f"{lang}: run flask translate update"
