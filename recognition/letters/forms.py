"""The authors' form that asks a referee, and the referee's letter form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..i18n import language_choices
from ..i18n import lazy_gettext as _l
from .operations import LETTER_CHARACTERS, RefereeDetails


class RefereeForm(FlaskForm):
    """Who is asked for a letter, and in which language they are written to."""

    name = StringField(_l("Referee's name"), validators=[DataRequired(), Length(max=160)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    language = SelectField(
        _l("Language of the referee"),
        description=_l("The e-mail and the letter form are in this language."),
    )
    #: The version of the letter replaced, as the user saw it.
    version = IntegerField(validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()

    def details(self) -> RefereeDetails:
        return RefereeDetails(
            name=self.name.data or "",
            organisation=self.organisation.data or "",
            email=self.email.data or "",
            language=self.language.data,
        )


class LetterForm(FlaskForm):
    """The referee's letter: written here, or uploaded as a PDF (or both)."""

    text = TextAreaField(
        _l("Your letter"),
        validators=[
            Length(
                max=LETTER_CHARACTERS,
                message=_l("Write at most %(max)d characters, or upload the letter as a PDF."),
            )
        ],
        render_kw={"rows": 14},
    )
    letter_file = FileField(_l("Or upload the letter as a PDF"))
