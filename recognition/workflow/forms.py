"""The state menu's form: an optional comment and the version the user saw."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import Length, Optional


class FireForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    version = IntegerField(validators=[Optional()])
    next = HiddenField()
