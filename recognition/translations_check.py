"""Check the message catalogs: complete, not fuzzy, placeholders intact, plural forms right.

Used by ``flask translate check`` (part of ``make test``) and by the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po
from babel.plural import PluralRule

from .config import LANGUAGES

#: Number of plural forms each language must have.
PLURAL_FORMS = {"ar": 6, "ru": 3, "en": 2, "es": 2, "fr": 2, "zh": 1}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]|%[sdf]|\{\w*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text) if "%(" in text else PLACEHOLDER.findall(text))


def check_catalogs(folder: Path, languages=LANGUAGES) -> list[str]:
    problems: list[str] = []
    template = folder / "messages.pot"
    template_ids = set()
    if template.exists():
        with open(template, "rb") as fh:
            template_ids = {m.id for m in read_po(fh) if m.id}
    for lang in languages:
        path = folder / lang / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            problems.append(f"{lang}: catalog missing ({path})")
            continue
        with open(path, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        expected = PLURAL_FORMS.get(lang)
        if expected and catalog.num_plurals != expected:
            problems.append(f"{lang}: {catalog.num_plurals} plural forms, expected {expected}")
        ids = set()
        for message in catalog:
            if not message.id:
                continue
            ids.add(message.id)
            label = message.id if isinstance(message.id, str) else message.id[0]
            short = label[:60].replace("\n", " ")
            if message.fuzzy:
                problems.append(f"{lang}: fuzzy: {short!r}")
            strings = (
                message.string if isinstance(message.string, tuple | list) else (message.string,)
            )
            if not all(strings) or (message.pluralizable and len(strings) != catalog.num_plurals):
                problems.append(f"{lang}: untranslated: {short!r}")
                continue
            sources = message.id if isinstance(message.id, tuple | list) else (message.id,)
            wanted = set(PLACEHOLDER.findall(sources[-1])) | set(PLACEHOLDER.findall(sources[0]))
            for s in strings:
                found = set(PLACEHOLDER.findall(s))
                named_wanted = {p for p in wanted if p}
                if found - wanted or (named_wanted - found and not message.pluralizable):
                    problems.append(f"{lang}: placeholders differ in {short!r}")
                    break
        missing = template_ids - ids
        for msgid in sorted(missing, key=str)[:20]:
            label = msgid if isinstance(msgid, str) else msgid[0]
            problems.append(f"{lang}: not in catalog (run flask translate update): {label[:60]!r}")
    return problems


def plural_rule(lang: str) -> PluralRule:
    from babel import Locale

    return Locale.parse(lang).plural_form
