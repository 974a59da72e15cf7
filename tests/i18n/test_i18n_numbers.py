"""Numbers in the reader's language: the template filter gives what babel gives, in each of
the site's languages, also on its fast path for small whole numbers."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale

from recognition.config import LANGUAGES
from recognition.web import number

VALUES = [0, 1, 7, 10, 99, 100, 999, 1000, 1234, 98765, -1, -7, 3.5, 2.25]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_number_filter_writes_what_babel_writes(app, lang):
    with app.test_request_context(), force_locale(lang):
        for value in VALUES:
            assert number(value) == format_decimal(value, locale=lang), value
        assert number(2.256, "0.00") == format_decimal(2.256, "0.00", locale=lang)
        assert number(None) == ""
