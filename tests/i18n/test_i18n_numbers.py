"""Numbers in the reader's language: the template filter gives what babel gives, in each of
the site's languages, also on its fast paths (small whole numbers, fixed decimals)."""

from __future__ import annotations

import random
from decimal import Decimal

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
        assert number(1234.5, "") == format_decimal(1234.5, locale=lang)  # no pattern
        assert number(None) == ""


#: Halves that a float rounds one way and its decimal text the other, signs, zeros, the very
#: small and the very large, decimals as stored.
FIXED = [0, 0.0, -0.0, 2.675, 0.125, 0.005, 1.005, 2.5, 3.5, 0.05, 1e-10, 12345.678, 1e20,
         4, 123456789, -1.25, -0.001, Decimal("2.345"), Decimal("-0"), Decimal("7"),
         Decimal("0.0149999999999999999999999999999"),
         float("inf"), float("-inf")]  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("pattern", ["0", "0.0", "0.00", "0.000", "#,##0.00", "0.0#"])
def test_fixed_decimals_are_written_as_babel_writes_them(app, lang, pattern):
    draw = random.Random(f"{lang}{pattern}")
    values = FIXED + [round(draw.uniform(0, 200), draw.randint(1, 5)) for _ in range(300)]
    with app.test_request_context(), force_locale(lang):
        for value in values:
            assert number(value, pattern) == format_decimal(value, pattern, locale=lang), value
