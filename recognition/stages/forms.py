"""The city's request for its next stage, and the secretariat's decision on it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from ..i18n import lazy_gettext as _l
from .operations import NOTE_CHARACTERS


class StageRequestForm(FlaskForm):
    """What the city has done to reach the stage it asks for: a note and, if it likes, a
    PDF (the Disaster Resilience Scorecard's self-assessment, an action plan, ...)."""

    note = TextAreaField(
        _l("What the city has done for this stage"),
        validators=[
            DataRequired(message=_l("Say what the city has done for this stage.")),
            Length(
                max=NOTE_CHARACTERS,
                message=_l("Write at most %(max)d characters; attach the rest as a PDF."),
            ),
        ],
        render_kw={"rows": 8},
    )
    evidence = FileField(_l("Evidence as a PDF (optional)"))
    #: The version of the stage the user saw (none before the city joined).
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class DecisionForm(FlaskForm):
    """Confirm or refuse a requested move; a refusal says why (the transition's comment
    rule)."""

    comment = TextAreaField(
        _l("Comment for the city"),
        validators=[Length(max=NOTE_CHARACTERS)],
        render_kw={"rows": 3},
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
