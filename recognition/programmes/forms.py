"""The secretariat's form for a call: its texts per language, dates in the officer's time zone,
review settings."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..config import LANGUAGES
from ..i18n import language_choices, local_to_utc
from ..i18n import lazy_gettext as _l
from .formbuilder import InRange, SaneDate, select_choices

#: The call's texts written per language, with their longest length (the columns title and
#: theme hold the source language's: 200 and 300 characters).
TEXT_FIELDS = {"title": 200, "theme": 300, "description": 5000}


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


#: A select whose first option is a real choice has nothing to require (and HTML says so).
NOT_REQUIRED_IN_HTML = {"required": False}


class CallForm(FlaskForm):
    programme_id = SelectField(
        _l("Programme"), validators=[DataRequired()], render_kw=NOT_REQUIRED_IN_HTML
    )
    source_language = SelectField(
        _l("Source language"),
        default="en",
        validators=[DataRequired()],
        render_kw=NOT_REQUIRED_IN_HTML,
        description=_l(
            "The language the call is written in first: its title is required. Readers of a "
            "language without a text read the source language's, marked as such."
        ),
    )
    cycle = StringField(
        _l("Cycle"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("For example the year: 2026."),
    )
    opens_at = DateTimeLocalField(_l("Opens"), validators=[InputRequired(), SaneDate()])
    closes_at = DateTimeLocalField(_l("Closes"), validators=[InputRequired(), SaneDate()])
    review_deadline = DateTimeLocalField(
        _l("Review deadline"), validators=[InputRequired(), SaneDate()]
    )
    announcement_at = DateTimeLocalField(
        _l("Planned announcement"), validators=[Optional(), SaneDate()]
    )
    reviewers_per_nomination = IntegerField(
        _l("Reviewers per nomination"), default=3, validators=[InputRequired(), InRange(1, 20)]
    )
    disagreement_threshold = DecimalField(
        _l("Disagreement threshold"),
        default=2,
        places=1,
        validators=[InputRequired(), InRange(0, 100)],
        description=_l(
            "Reviews disagree when their scores for a criterion differ by more than this value."
        ),
    )
    reviewers_see_scores = BooleanField(
        _l("Reviewers who submitted may see the other reviewers' scores (without names)")
    )
    laureates_max = IntegerField(
        _l("Maximum number of Laureates"),
        validators=[Optional(), InRange(0, 100)],
        description=_l("Leave empty for the programme's rule."),
    )

    def __init__(self, programmes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme_id.choices = [(p.id, _l(p.title)) for p in programmes.values()]
        self.source_language.choices = select_choices(language_choices())

    def text_field(self, name: str, language: str):
        """The field of ``name`` (title, theme, description) in ``language``."""
        return self[f"{name}_{language}"]

    def show_texts(self, call) -> None:
        """Fill the language fields with what the call stores (the source language's title
        and theme from their columns when the call has no texts yet)."""
        for code in LANGUAGES:
            stored = (call.texts or {}).get(code) or {}
            for name in TEXT_FIELDS:
                self.text_field(name, code).data = stored.get(name, "")
        for name in ("title", "theme"):
            field = self.text_field(name, call.source_language)
            field.data = field.data or getattr(call, name) or ""

    def texts(self) -> dict[str, dict[str, str]]:
        """What was written, by language: {"fr": {"title": ..., "theme": ...}}; languages and
        fields left empty are left out."""
        written = {}
        for code in LANGUAGES:
            values = {
                name: self.text_field(name, code).data
                for name in TEXT_FIELDS
                if self.text_field(name, code).data
            }
            if values:
                written[code] = values
        return written

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        source = self.source_language.data
        if source in LANGUAGES:
            title = self.text_field("title", source)
            if not title.data and not title.errors:
                title.errors.append(_l("The title in the source language is required."))
                valid = False
        return valid

    # Dates are compared in UTC, as stored: around a daylight-saving change two local times
    # in order can be out of order in UTC (and the database would refuse the call).
    def validate_closes_at(self, field) -> None:
        opens, closes = utc(self.opens_at), utc(field)
        if opens and closes and closes <= opens:
            raise ValidationError(_l("The call must close after it opens."))

    def validate_review_deadline(self, field) -> None:
        closes, deadline = utc(self.closes_at), utc(field)
        if closes and deadline and deadline < closes:
            raise ValidationError(_l("The review deadline cannot come before the call closes."))


def _add_text_fields(form_class: type) -> None:
    """Title, theme and description for each language: title_en, theme_en, description_en…"""
    kinds = {
        "title": (StringField, _l("Title"), None),
        "theme": (StringField, _l("Theme"), None),
        "description": (TextAreaField, _l("Description"), {"rows": 4}),
    }
    for code in LANGUAGES:
        for name, (kind, label, render_kw) in kinds.items():
            field = kind(
                label,
                filters=[_stripped],
                validators=[Length(max=TEXT_FIELDS[name])],
                render_kw=render_kw,
            )
            setattr(form_class, f"{name}_{code}", field)


_add_text_fields(CallForm)


def utc(field) -> datetime | None:
    """A date field's value, typed in the officer's time zone, in naive UTC."""
    return local_to_utc(field.data)
