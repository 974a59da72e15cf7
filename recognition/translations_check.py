"""Check the message catalogs: complete, not fuzzy, placeholders intact, plural forms right.

Used by ``flask translate check`` (part of ``make test``) and by the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from .config import LANGUAGES

#: Number of plural forms each language must have.
PLURAL_FORMS = {"ar": 6, "ru": 3, "en": 2, "es": 3, "fr": 3, "zh": 1}
PLACEHOLDER = re.compile(r"%\((\w+)\)([sdfi])|%([sdfi])|\{(\w*)\}")


def placeholders(text: str) -> set[str]:
    """The placeholders of a message: ``%(name)s`` with its type, ``%s``, ``{name}``."""
    found = set()
    for named, kind, bare, braces in PLACEHOLDER.findall(text):
        if named:
            found.add(f"%({named}){kind}")
        elif bare:
            found.add(f"%{bare}")
        else:
            found.add(f"{{{braces}}}")
    return found


def _problems_of(message, lang: str, num_plurals: int) -> list[str]:
    label = message.id if isinstance(message.id, str) else message.id[0]
    short = repr(label[:60].replace("\n", " "))
    if message.fuzzy:
        return [f"{lang}: fuzzy: {short}"]
    plural = isinstance(message.id, tuple | list)
    strings = tuple(message.string) if plural else (message.string,)
    if not all(strings) or (plural and len(strings) != num_plurals):
        return [f"{lang}: untranslated: {short}"]
    sources = message.id if plural else (message.id,)
    wanted = set().union(*(placeholders(text) for text in sources))
    for text in strings:
        found = placeholders(text)
        if found - wanted:
            return [f"{lang}: unknown placeholder {sorted(found - wanted)} in {short}"]
        # A plural form may leave out the number (Arabic "one", Chinese), nothing else.
        missing = wanted - found - ({"%(num)d", "%(num)s"} if plural else set())
        if missing:
            return [f"{lang}: placeholder {sorted(missing)} missing in {short}"]
    return []


def check_catalogs(folder: Path, languages=LANGUAGES) -> list[str]:
    """Every problem of the catalogs in ``folder``: missing, fuzzy, broken placeholders,
    wrong number of plural forms, messages of the template not in a catalog."""
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
            if message.id:
                ids.add(message.id)
                problems.extend(_problems_of(message, lang, catalog.num_plurals))
        # What `pybabel compile` refuses (e.g. a form with a placeholder its msgid lacks).
        for message, errors in catalog.check():
            label = message.id if isinstance(message.id, str) else message.id[0]
            problems.extend(f"{lang}: {error}: {label[:60]!r}" for error in errors)
        for msgid in sorted(template_ids - ids, key=str)[:20]:
            label = msgid if isinstance(msgid, str) else msgid[0]
            problems.append(f"{lang}: not in catalog (run flask translate update): {label[:60]!r}")
    return problems
