"""The secretariat's form for a call: dates in the officer's time zone, review settings."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..i18n import local_to_utc
from .formbuilder import InRange, SaneDate


class CallForm(FlaskForm):
    programme_id = SelectField(_l("Programme"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    cycle = StringField(
        _l("Cycle"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("For example the year: 2026."),
    )
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=300)])
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


def utc(field) -> datetime | None:
    """A date field's value, typed in the officer's time zone, in naive UTC."""
    return local_to_utc(field.data)
