"""Forms of the city side that are not generated from a programme."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from ..i18n import language_choices


class StartForm(FlaskForm):
    city = SelectField(_l("City"), coerce=int, validators=[DataRequired()])
    language = SelectField(
        _l("Language of the nomination"),
        description=_l("The language you will write in. Reviewers read it as written."),
    )

    def __init__(self, cities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city.choices = [(c.id, c.name) for c in cities]
        self.language.choices = language_choices()


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""
