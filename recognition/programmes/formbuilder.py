"""WTForms generated at runtime from a programme's sections.

A section form exists in two strictness levels: ``draft`` checks only what was typed
(a number out of range, too many words) and ``strict`` also requires the required fields —
the check made on submission. Answers are stored as typed, valid or not, so a draft loses
nothing; validation runs again whenever the nomination is shown or submitted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from flask_babel import format_date, format_decimal
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import country_choices, country_name, lazy_ngettext
from ..i18n import lazy_gettext as _l
from .definition import FieldDef, Input, Programme, Section


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LocalisedSelectField(SelectField):
    """A select whose choices are computed per request (country names in the user's language)."""


class WordLimit:
    """At most ``maximum`` words."""

    def __init__(self, maximum: int):
        self.maximum = maximum
        self.field_flags = {}

    def __call__(self, form, field) -> None:
        count = count_words(field.data)
        if count > self.maximum:
            raise ValidationError(
                lazy_ngettext(
                    "Use at most %(num)d word; this text has %(count)d.",
                    "Use at most %(num)d words; this text has %(count)d.",
                    self.maximum,
                    count=count,
                )
            )


def select_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as SelectChoice: WTForms 3.3 deprecates plain tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


class InRange(NumberRange):
    """A number range check that keeps quiet when no number could be read: "not a valid
    number" is already reported, and "must be between" would only add confusion."""

    def __call__(self, form, field) -> None:
        if field.data is not None:
            super().__call__(form, field)


#: The dates a form takes: far enough for any call or history, near enough that converting
#: between time zones cannot leave the calendar (9999-12-31 west of UTC would).
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


class SaneDate:
    """A date (or date and time) between 1900 and 2199."""

    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        day = value.date() if hasattr(value, "date") else value
        if not EARLIEST <= day <= LATEST:
            # Nothing else checks a date the calendar cannot convert.
            raise StopValidation(
                _l(
                    "Choose a date between %(first)s and %(last)s.",
                    first=format_date(EARLIEST),
                    last=format_date(LATEST),
                )
            )


#: A word: one Chinese or Japanese character (they are written without spaces), or a run of
#: other non-space characters.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff"
_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
WORD = re.compile(f"[{_CJK}]|[^\\s{_CJK}{_CJK_PUNCTUATION}]+")


def count_words(text: Any) -> int:
    """Count words as a word limit means them, in every language of the interface."""
    return len(WORD.findall(str(text or "")))


#: The most characters a long text (or an Essential's narrative) keeps, whatever its word
#: limit: drafts keep what is typed, but not without bound.
LONG_TEXT_CHARACTERS = 60_000
#: The most characters a short text keeps when the programme sets no limit.
TEXT_CHARACTERS = 500
#: The most characters any other answer (a number, a date, a choice's value) keeps.
VALUE_CHARACTERS = 100


def character_limit(inp: Input) -> int:
    """How many characters of an answer are kept, in a draft as in a submission."""
    if inp.kind in ("long_text", "narrative"):
        return LONG_TEXT_CHARACTERS
    if inp.kind == "text":
        return inp.field.max_length or TEXT_CHARACTERS
    return VALUE_CHARACTERS


def _kept(limit: int) -> Length:
    return Length(
        max=limit,
        message=_l("At most %(max)d characters: what goes beyond is not kept when you save."),
    )


def _required(strict: bool) -> list:
    return [InputRequired()] if strict else [Optional()]


def _label(text: str) -> Any:
    return _l(text)


def _field_for(inp: Input, strict: bool) -> Any:
    f: FieldDef = inp.field
    required = f.required and strict
    validators = _required(required) if inp.kind not in ("file", "evidence") else []
    description = _l(f.help) if f.help and inp.essential is None else ""
    kind = inp.kind
    if kind == "text":
        return StringField(
            _label(f.title),
            validators=[*validators, _kept(character_limit(inp))],
            description=description,
        )
    if kind in ("long_text", "narrative"):
        limit = [WordLimit(f.max_words)] if f.max_words else []
        label = _label(f.title) if kind == "long_text" else _l("Why this score")
        return TextAreaField(
            label,
            validators=[*validators, _kept(character_limit(inp)), *limit],
            description=description,
            render_kw={"rows": 6 if kind == "long_text" else 4},
        )
    if kind == "number":
        number_cls = IntegerField if f.integer else DecimalField
        return number_cls(
            _label(f.title),
            validators=[*validators, InRange(min=f.min, max=f.max)],
            description=description,
            render_kw={"inputmode": "numeric" if f.integer else "decimal"},
        )
    if kind == "date":
        return DateField(
            _label(f.title), validators=[*validators, SaneDate()], description=description
        )
    if kind == "choice":
        return RadioField(
            _label(f.title),
            choices=select_choices((v, _l(label)) for v, label in f.choices),
            validators=validators or [Optional()],
            description=description,
            validate_choice=True,
        )
    if kind == "multiple_choice":
        return MultiCheckboxField(
            _label(f.title),
            choices=select_choices((v, _l(label)) for v, label in f.choices),
            validators=validators or [Optional()],
            description=description,
        )
    if kind == "country":
        return LocalisedSelectField(
            _label(f.title),
            choices=[],
            validators=validators,
            description=description,
            validate_choice=True,
        )
    if kind == "score":
        return RadioField(
            _l("Score"),
            choices=select_choices((str(v), str(v)) for v in range(f.score_min, f.score_max + 1)),
            validators=validators or [Optional()],
            validate_choice=True,
        )
    if kind in ("file", "evidence"):
        label = _label(f.title) if kind == "file" else _l("Evidence (optional)")
        return MultipleFileField(label, description=description)
    raise ValueError(f"unknown input kind {kind!r}")


class SectionForm(FlaskForm):
    """Base of the generated section forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field, LocalisedSelectField):
                field.choices = select_choices([("", _l("Choose a country")), *country_choices()])


@cache
def _section_form_class(programme_id: str, section: Section, strict: bool) -> type[SectionForm]:
    attrs = {inp.name: _field_for(inp, strict) for inp in section.inputs()}
    return type(
        f"{programme_id}_{section.id}_{'strict' if strict else 'lenient'}", (SectionForm,), attrs
    )


def section_form(
    programme: Programme,
    section: Section,
    *,
    strict: bool = False,
    answers: Mapping[str, Any] | None = None,
    csrf: bool = True,
    **kwargs,
) -> SectionForm:
    """Build a section's form: from the request (editing) or from stored answers."""
    cls = _section_form_class(programme.id, section, strict)
    if answers is not None:
        kwargs["formdata"] = answers_to_formdata(answers)
    if not csrf:
        kwargs["meta"] = {"csrf": False}
    return cls(**kwargs)


def answers_to_formdata(answers: Mapping[str, Any]) -> MultiDict:
    data = MultiDict()
    for name, value in answers.items():
        if isinstance(value, list):
            for item in value:
                data.add(name, item)
        elif value is not None:
            data.add(name, str(value))
    return data


def answers_from_form(section: Section, formdata: MultiDict) -> dict[str, Any]:
    """What the user typed in a section, field by field, as typed (files excluded), each
    answer cut at its character limit (the form says so beside the field): a draft keeps
    invalid answers, not unbounded ones."""
    answers: dict[str, Any] = {}
    for inp in section.inputs():
        if inp.kind in ("file", "evidence"):
            continue
        limit = character_limit(inp)
        if inp.kind == "multiple_choice":
            values = formdata.getlist(inp.name)[: len(inp.field.choices)]
            answers[inp.name] = [v[:limit] for v in values]
        else:
            answers[inp.name] = formdata.get(inp.name, "")[:limit]
    return answers


def format_answer(inp: Input, value: Any) -> Any:
    """Present a stored answer in the user's language (choice labels, country names, dates
    and numbers through Babel); an answer that does not parse is shown as typed."""
    if value in (None, "", []):
        return ""
    f = inp.field
    if inp.kind == "choice":
        label = dict(f.choices).get(value)
        return _l(label) if label else value
    if inp.kind == "multiple_choice":
        labels = dict(f.choices)
        values = [value] if isinstance(value, str) else value
        return Markup(", ").join(str(_l(labels[v])) if v in labels else v for v in values)
    if inp.kind == "country":
        return country_name(value)
    if inp.kind == "date":
        try:
            return format_date(date.fromisoformat(str(value)), "long")
        except ValueError:
            return value
    if inp.kind == "number":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return value
        # Only plausible numbers: "1e999999" would print a million digits.
        if not number.is_finite() or abs(number.adjusted()) > 15:
            return value
        if f.format == "year":
            # A year is a name, not a quantity: 2008, never "2,008" or "2.008".
            return format_decimal(number, "0.###")
        return format_decimal(number)
    return value
