"""Forms of the deliberation: a message to the panel, the consensus."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import lazy_gettext as _l

MAX_POST = 5000


class PostForm(FlaskForm):
    body = TextAreaField(
        _l("Your message to the panel"),
        validators=[DataRequired(), Length(max=MAX_POST)],
        description=_l("The panel and the secretariat read it; the nominee never does."),
    )
    mention = SelectMultipleField(
        _l("Let them know by e-mail"),
        choices=[],
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ConsensusForm(FlaskForm):
    score = DecimalField(
        _l("Consensus score"),
        places=None,
        validators=[Optional()],
        description=_l("Optional: the panel's agreed score on the rubric's scale."),
    )
    statement = TextAreaField(
        _l("The panel's statement"), validators=[DataRequired(), Length(max=MAX_POST)]
    )

    def configure(self, low: int, high: int) -> None:
        self.score.validators = [
            Optional(),
            NumberRange(
                min=low,
                max=high,
                message=_l("Give a score from %(min)s to %(max)s.", min=low, max=high),
            ),
        ]
