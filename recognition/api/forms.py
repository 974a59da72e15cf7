"""The form that makes a personal access token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


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
