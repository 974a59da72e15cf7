"""User-entered content in several languages: per-language values with a declared source
language, and the reader's language with a marked fallback.

A call's title, theme and description, its announcement, a programme's public texts: what the
secretariat writes is kept as ``{language: text}``; the source language's text is required.
``pick()`` gives the text in the reader's language when it was written, else the source
language's, and says which it gave, so that a page can mark the fallback (``lang`` and
``dir`` attributes, a "shown in English" note).
"""

from __future__ import annotations

from collections.abc import Mapping

from .config import LANGUAGES, RTL_LANGUAGES
from .i18n import current_language


class LocalText(str):
    """A text together with the language it is written in and whether it stands in for the
    reader's language (a fallback)."""

    language: str
    fallback: bool

    def __new__(cls, text: str, language: str, fallback: bool = False) -> LocalText:
        value = super().__new__(cls, text)
        value.language = language
        value.fallback = fallback
        return value

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RTL_LANGUAGES else "ltr"


def pick(
    texts: Mapping[str, str] | None, source: str = "en", language: str | None = None
) -> LocalText:
    """The text in ``language`` (the reader's), else in the source language, else in any
    language written; empty when none is."""
    texts = {k: v for k, v in (texts or {}).items() if k in LANGUAGES and (v or "").strip()}
    language = language or current_language()
    if language in texts:
        return LocalText(texts[language], language)
    for fallback in (source, "en", *sorted(texts)):
        if fallback in texts:
            return LocalText(texts[fallback], fallback, fallback=True)
    return LocalText("", language)
