"""The annual report's form: what the city shared, with whom, in which language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..i18n import language_choices
from ..i18n import lazy_gettext as _l
from .models import ANSWERS, TEXT_LENGTH, AnnualReport

_TOO_LONG = _l("Write at most %(max)d characters.")


def _text(label, description):
    return TextAreaField(
        label,
        description=description,
        validators=[Optional(), Length(max=TEXT_LENGTH, message=_TOO_LONG)],
        render_kw={"rows": 6},
    )


class ReportForm(FlaskForm):
    """Saved as a draft whatever it holds (within the lengths); complete before submitting."""

    language = SelectField(
        _l("Language of the report"),
        description=_l("The language you write the report in."),
        validators=[DataRequired()],
        # Its first option is a real choice: HTML has nothing to require.
        render_kw={"required": False},
    )
    peer_exchanges = _text(
        _l("Peer exchanges"),
        _l(
            "Mentoring, twinning, webinars, conferences: how your city shared its practice "
            "with other cities this year."
        ),
    )
    study_visits = _text(
        _l("Study visits"),
        _l("Delegations your city hosted or visited, and what they saw or learnt."),
    )
    tools = _text(
        _l("Tools shared"),
        _l("Guides, methods, data, software or training material your city gave to others."),
    )
    shared_with = _text(
        _l("With whom"),
        _l("The cities and partners your city shared with, one a line, with their country."),
    )
    #: The report's version the form was filled in on.
    version = IntegerField(validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()

    def show(self, report: AnnualReport) -> None:
        """Fill the form with the report as saved."""
        for name in ANSWERS:
            self[name].data = getattr(report, name)
        self.language.data = report.language
        self.version.data = report.version

    def answers(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in ANSWERS}

    def check_complete(self) -> bool:
        """Mark, beside its field, what a submitted report needs; whether it has it."""
        complete = True
        if not any((self[name].data or "").strip() for name in ANSWERS[:3]):
            self.peer_exchanges.errors = [
                *self.peer_exchanges.errors,
                _l("Describe at least one peer exchange, study visit or tool your city shared."),
            ]
            complete = False
        if not (self.shared_with.data or "").strip():
            self.shared_with.errors = [
                *self.shared_with.errors,
                _l("Name the cities or partners your city shared with."),
            ]
            complete = False
        return complete
