"""The form that makes a personal access token."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..i18n import lazy_gettext as _l


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What the token is for, e.g. “Office dashboard”."),
    )
    scope = RadioField(
        _l("It may"),
        choices=[
            SelectChoice("read", _l("Read only")),
            SelectChoice("write", _l("Read and write: save, submit, decide, as you may")),
        ],
        default="read",
        validators=[DataRequired()],
    )
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("A token acts as you: your password confirms it is you who makes it."),
    )
