"""The scoring form, generated from the programme's rubric, and the assignment form."""

from __future__ import annotations

from functools import cache

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..i18n import lazy_gettext as _l
from ..programmes.definition import Rubric


class ScoringForm(FlaskForm):
    """Base of the generated scoring forms."""

    def criterion_fields(self, rubric: Rubric):
        for criterion in rubric.criteria:
            yield criterion, self[f"score_{criterion.id}"], self[f"comment_{criterion.id}"]

    @staticmethod
    def score_options(rubric: Rubric, score):
        """Each option of a criterion's score with what the rubric's scale says the value
        means ("No evidence", "Exemplary"; a msgid), or "" where the scale says nothing."""
        for option in score:
            yield option, rubric.scale_label(int(option.data))


@cache
def _scoring_form_class(programme_id: str, rubric: Rubric, strict: bool) -> type[ScoringForm]:
    required = [InputRequired()] if strict else [Optional()]
    # Choices as SelectChoice: WTForms 3.3 deprecates (value, label) tuples.
    attrs = {}
    for criterion in rubric.criteria:
        attrs[f"score_{criterion.id}"] = RadioField(
            _l(criterion.title),
            choices=[SelectChoice(str(v)) for v in range(criterion.min, criterion.max + 1)],
            validators=required,
            description=_l(criterion.description) if criterion.description else "",
        )
        attrs[f"comment_{criterion.id}"] = TextAreaField(
            _l("Comment"), validators=[Optional(), Length(max=10_000)], render_kw={"rows": 2}
        )
    attrs["recommendation"] = RadioField(
        _l("Overall recommendation"),
        choices=[SelectChoice(v, _l(label)) for v, label in rubric.recommendations],
        validators=required,
    )
    attrs["comment_for_city"] = TextAreaField(
        _l("Comment for the city"),
        validators=[Optional(), Length(max=20_000)],
        description=_l("The city may read this; it never shows who wrote it."),
        render_kw={"rows": 4},
    )
    attrs["comment_confidential"] = TextAreaField(
        _l("Confidential comment for the secretariat"),
        validators=[Optional(), Length(max=20_000)],
        render_kw={"rows": 3},
    )
    return type(f"Scoring_{programme_id}_{strict}", (ScoringForm,), attrs)


def scoring_form(programme, strict: bool = False, rubric: Rubric | None = None, **kwargs):
    """The scoring form of a rubric: a review round's (its criteria), the programme's by
    default."""
    return _scoring_form_class(programme.id, rubric or programme.rubric, strict)(**kwargs)


def review_data(assignment) -> dict[str, str]:
    """The stored review as form data."""
    data = {
        "recommendation": assignment.recommendation or "",
        "comment_for_city": assignment.comment_for_city,
        "comment_confidential": assignment.comment_confidential,
    }
    for score in assignment.scores:
        data[f"score_{score.criterion}"] = "" if score.value is None else str(score.value)
        data[f"comment_{score.criterion}"] = score.comment
    return data


class AssignForm(FlaskForm):
    """The reviewer to invite: a radio button per row of the panel's table of reviewers."""

    reviewer = RadioField(_l("Reviewer"), coerce=int, validators=[InputRequired()])
