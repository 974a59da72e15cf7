"""The state menu's form: an optional comment and the version the user saw."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import Length, Optional


def _without_nul(text: str | None) -> str | None:
    """NUL characters cannot be stored in text columns, and nobody types them: drop them."""
    return text.replace("\x00", "") if text else text


class FireForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment"), validators=[Optional(), Length(max=5000)], filters=[_without_nul]
    )
    #: The box a transition with a confirmation question asks to tick (withdraw, announce).
    confirmed = BooleanField()
    version = IntegerField(validators=[Optional()])
    next = HiddenField()
