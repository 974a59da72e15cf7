"""The state menu's form: an optional comment and the version the user saw."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import Length, Optional

from ..i18n import lazy_gettext as _l


class FireForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    #: The box a transition with a confirmation question asks to tick (withdraw, announce).
    confirmed = BooleanField()
    version = IntegerField(validators=[Optional()])
    next = HiddenField()
