"""Messages in the reader's language through the request's kept translations: what
Flask-Babel's own functions give, also when a block switches language (a mail in the
recipient's) and after a changed preference, in templates and in Python."""

from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale, refresh
from flask_babel import gettext as babel_gettext
from flask_babel import ngettext as babel_ngettext

from recognition import i18n
from recognition.config import LANGUAGES

#: Messages every catalog translates (the site's frame and sign-in).
MESSAGE = "Sign in"
SINGULAR, PLURAL = "%(num)d nomination", "%(num)d nominations"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_kept_translations_give_what_flask_babel_gives(app, lang):
    with app.test_request_context(f"/?lang={lang}"):
        assert i18n.gettext(MESSAGE) == babel_gettext(MESSAGE)
        assert i18n.gettext("%(name)s", name="x") == babel_gettext("%(name)s", name="x")
        for n in (0, 1, 2, 5, 11, 100):
            assert i18n.ngettext(SINGULAR, PLURAL, n) == babel_ngettext(SINGULAR, PLURAL, n)
        assert str(i18n.lazy_gettext(MESSAGE)) == babel_gettext(MESSAGE)
        assert render_template_string("{{ _('Sign in') }}") == babel_gettext(MESSAGE)


def test_the_translations_follow_a_block_in_another_language_and_come_back(app):
    with app.test_request_context("/?lang=fr"):
        french = i18n.gettext(MESSAGE)
        assert french != MESSAGE  # kept for the request from here on
        with force_locale("ar"):
            arabic = i18n.gettext(MESSAGE)
            assert render_template_string("{{ _('Sign in') }}") == arabic
        assert arabic not in (french, MESSAGE)
        assert i18n.gettext(MESSAGE) == french
        assert render_template_string("{{ _('Sign in') }}") == french
        assert i18n.current_language() == "fr"


def test_the_translations_follow_a_changed_preference(app, monkeypatch):
    with app.test_request_context("/?lang=fr"):
        french = i18n.gettext(MESSAGE)
        monkeypatch.setattr(i18n, "request_locale", lambda: "es")
        assert i18n.gettext(MESSAGE) == french  # chosen once per request, as Flask-Babel
        refresh()
        assert i18n.gettext(MESSAGE) not in (french, MESSAGE)
        assert i18n.current_language() == "es"


def test_a_lazy_text_is_translated_in_the_language_of_the_request_that_shows_it(app):
    label = i18n.lazy_gettext(MESSAGE)
    shown = {}
    for lang in ("fr", "zh"):
        # A context of its own, as each request served has (the fixture's is shared).
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            shown[lang] = str(label)
            assert shown[lang] == babel_gettext(MESSAGE)
    assert shown["fr"] != shown["zh"]


def test_outside_a_request_messages_stay_as_written(app):
    assert i18n.gettext(MESSAGE) == MESSAGE
    with app.app_context():
        assert i18n.gettext(MESSAGE) == MESSAGE
