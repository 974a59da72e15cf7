"""The form that registers a webhook."""

from urllib.parse import urlsplit

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField, URLField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.forms import MultiCheckboxField
from ..i18n import lazy_gettext as _l
from .operations import event_choices


class WebhookForm(FlaskForm):
    url = URLField(
        _l("Address"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("Where each event is sent, by HTTPS POST: https://example.org/hooks"),
    )
    description = StringField(_l("What it is for"), validators=[Optional(), Length(max=200)])
    events = MultiCheckboxField(_l("Events"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events.choices = [SelectChoice(value, label) for value, label in event_choices()]

    def validate_url(self, field) -> None:
        parts = urlsplit(field.data or "")
        schemes = ("https", "http")
        if not current_app.config["RECOGNITION_WEBHOOK_PRIVATE_ADDRESSES"]:
            schemes = ("https",)
        if parts.scheme not in schemes or not parts.hostname:
            raise ValidationError(_l("Give a full address starting with https://"))
