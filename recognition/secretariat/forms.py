"""The secretariat's forms: the decision on a nomination and a call's announcement text."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..config import LANGUAGES
from ..i18n import language_name
from ..i18n import lazy_gettext as _l
from ..programmes.formbuilder import MultiCheckboxField
from ..programmes.models import Call

# SelectChoice, not (value, label) tuples: WTForms 3.3 deprecates the tuples, and the
# warning is an error under the test suite. The values are the decision transitions.
OUTCOMES = (
    SelectChoice("recognise", _l("Recognise")),
    SelectChoice("not_recognise", _l("Do not recognise")),
)


def area_choices(programme) -> list[SelectChoice]:
    """The Essentials the programme's criteria score, titled by its edition of the Ten
    Essentials ("Essential 3: Strengthen financial capacity for resilience" in 2017, another
    Essential in 2010)."""
    numbers = sorted({c.essential for c in programme.rubric.criteria if c.essential})
    edition = programme.essentials
    choices = []
    for number in numbers:
        title = edition.title_of(number) if edition else ""
        label = (
            _l("Essential %(number)d: %(label)s", number=number, label=_l(title))
            if title
            else _l("Essential %(num)d", num=number)
        )
        choices.append(SelectChoice(number, label))
    return choices


class DecisionForm(FlaskForm):
    outcome = RadioField(_l("Decision"), choices=OUTCOMES, validators=[InputRequired()])
    areas = MultiCheckboxField(_l("Areas of strength"), coerce=int, validators=[Optional()])
    level = RadioField(_l("Level"), validators=[Optional()], validate_choice=False)
    comment = TextAreaField(
        _l("Text for the city"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Shown to the city with the outcome, once the call is announced."),
    )
    override_reason = TextAreaField(
        _l("Reason to decide before all reviews are in"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required only while reviews are missing; kept in the history."),
    )
    version = IntegerField(validators=[Optional()])

    def configure(self, programme) -> None:
        # Fields the programme does not decide by offer nothing (never None: a value sent
        # for them is then an error beside the field, not a crash).
        self.areas.choices = []
        self.level.choices = []
        if programme.decision == "strengths":
            self.areas.choices = area_choices(programme)
            if programme.essentials is not None:
                self.areas.label.text = _l(
                    "Areas of strength — %(edition)s", edition=_l(programme.essentials.title)
                )
        if programme.decision == "levels":
            self.level.choices = [SelectChoice(lv.id, _l(lv.title)) for lv in programme.levels]

    def decision(self) -> dict:
        """What the officer decided, as the decision transitions' data."""
        return {
            "areas": self.areas.data or [],
            "level": self.level.data,
            "override_reason": self.override_reason.data,
        }


class AnnouncementForm(FlaskForm):
    version = HiddenField()

    @classmethod
    def build(cls, call: Call, **kwargs):
        attrs = {
            f"text_{code}": TextAreaField(
                language_name(code),
                validators=[Optional(), Length(max=20_000)],
                render_kw={"rows": 5, "lang": code, "dir": "rtl" if code == "ar" else "ltr"},
            )
            for code in LANGUAGES
        }
        form = type("AnnouncementFormFor", (cls,), attrs)(**kwargs)
        if not form.is_submitted():
            for code in LANGUAGES:
                form[f"text_{code}"].data = (call.announcement or {}).get(code, "")
        return form
