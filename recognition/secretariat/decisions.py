"""Decisions on nominations and the announcement of a call.

Role Model City: the decision names the areas of strength (pre-filled from the scores).
Sasakawa Award: the decision names the level, at most the call's number of Laureates.
Deciding before all reviews are in needs an override with a reason, kept in history.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..config import LANGUAGES
from ..extensions import db
from ..i18n import language_name
from ..nominations.models import Nomination
from ..programmes.formbuilder import MultiCheckboxField
from ..programmes.models import Call
from ..review.aggregation import aggregate_nomination, reviews_complete
from ..timeutil import utcnow
from ..workflow.engine import (
    CONCURRENT_MESSAGE,
    ConcurrentChange,
    ConditionNotMet,
    WorkflowError,
    fire,
    fire_many,
)
from ..workflow.operations import operation
from ..workflow.security import can, require
from . import ID, bp

# SelectChoice, not (value, label) tuples: WTForms 3.3 deprecates the tuples, and the
# warning is an error under the test suite.
OUTCOMES = (
    SelectChoice("recognise", _l("Recognise")),
    SelectChoice("not_recognise", _l("Do not recognise")),
)


class DecisionForm(FlaskForm):
    outcome = RadioField(_l("Decision"), choices=OUTCOMES, validators=[InputRequired()])
    areas = MultiCheckboxField(_l("Areas of strength"), coerce=int, validators=[Optional()])
    level = RadioField(_l("Level"), validators=[Optional()], validate_choice=False)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    override_reason = TextAreaField(
        _l("Reason to decide before all reviews are in"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required only while reviews are missing; kept in the history."),
    )
    version = IntegerField(validators=[Optional()])

    def configure(self, programme) -> None:
        if programme.decision == "strengths":
            essentials = [c for c in programme.rubric.criteria if c.essential]
            self.areas.choices = [SelectChoice(c.essential, _l(c.title)) for c in essentials]
        if programme.decision == "levels":
            self.level.choices = [SelectChoice(lv.id, _l(lv.title)) for lv in programme.levels]


def decision_context(nomination: Nomination) -> dict[str, Any]:
    if not can(current_user, "decide", nomination):
        return {"decision_form": None}
    programme = nomination.programme
    form = DecisionForm(formdata=None)
    form.configure(programme)
    result = aggregate_nomination(nomination)
    if programme.decision == "strengths":
        form.areas.data = list(nomination.areas_of_strength or (result.strengths if result else []))
    form.version.data = nomination.version
    return {"decision_form": form, "reviews_complete": reviews_complete(nomination)}


def laureates_in(call: Call, excluding: int | None = None) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(Nomination)
        .where(
            Nomination.call_id == call.id,
            Nomination.award_level == "laureate",
            Nomination.state.in_(("recognised", "announced")),
        )
    )
    if excluding is not None:
        stmt = stmt.where(Nomination.id != excluding)
    return db.session.scalar(stmt) or 0


def decide(
    nomination: Nomination,
    actor,
    outcome: str,
    comment: str | None = None,
    areas: list[int] | None = None,
    level: str | None = None,
    override_reason: str | None = None,
    expected_version: int | None = None,
):
    """Record the decision and fire recognise / not_recognise (flushes, never commits).

    The version the officer saw is compared first: the reads below flush the decision's
    fields, which moves the row's version on before fire() would see it.
    """
    if expected_version is not None and nomination.version != expected_version:
        raise ConcurrentChange(CONCURRENT_MESSAGE, outcome, "version mismatch")
    programme = nomination.programme
    override_reason = (override_reason or "").strip()
    data: dict[str, Any] = {}
    if outcome == "recognise":
        if programme.decision == "strengths":
            if areas is None:
                result = aggregate_nomination(nomination)
                areas = result.strengths if result else []
            valid = {c.essential for c in programme.rubric.criteria if c.essential}
            areas = sorted({a for a in areas if a in valid})
            if not areas:
                raise ConditionNotMet(_l("Name at least one area of strength."), outcome)
            nomination.areas_of_strength = areas
            data["areas_of_strength"] = areas
        if programme.decision == "levels":
            if programme.level(level or "") is None:
                raise ConditionNotMet(_l("Choose the level of the award."), outcome)
            limit = nomination.call.laureate_limit()
            if (
                level == "laureate"
                and limit is not None
                and laureates_in(nomination.call, nomination.id) >= limit
            ):
                raise ConditionNotMet(
                    lazy_ngettext(
                        "This call already has its Laureate.",
                        "This call already has its %(num)d Laureates.",
                        limit,
                    ),
                    outcome,
                )
            nomination.award_level = level
            data["award_level"] = level
    else:
        nomination.areas_of_strength = []
        nomination.award_level = None
    complete = reviews_complete(nomination)
    if not complete and not override_reason:
        raise ConditionNotMet(
            _l("Not all reviews are in. To decide anyway, give a reason for the override."),
            outcome,
        )
    if not complete:
        data["override_reason"] = override_reason
    nomination.decided_by_id = actor.id
    nomination.decided_at = utcnow()
    nomination.decision_comment = (comment or "").strip()
    return fire(
        nomination,
        outcome,
        actor,
        comment,
        context={"override_reason": override_reason},
        data=data,
    )


@operation("nomination", "recognise")
def recognise(nomination, actor, comment=None, expected_version=None):
    return decide(nomination, actor, "recognise", comment, expected_version=expected_version)


@operation("nomination", "not_recognise")
def not_recognise(nomination, actor, comment=None, expected_version=None):
    return decide(nomination, actor, "not_recognise", comment, expected_version=expected_version)


@bp.post(f"/nominations/<{ID}:nomination_id>/decide")
@login_required
def decide_view(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    require("decide", nomination)
    form = DecisionForm()
    form.configure(nomination.programme)
    back = url_for("nominations.show", nomination_id=nomination.id)
    if not form.validate_on_submit():
        for field_errors in form.errors.values():
            for error in field_errors:
                flash(error, "danger")
        return redirect(back + "#decision")
    try:
        decide(
            nomination,
            current_user,
            form.outcome.data,
            form.comment.data,
            areas=form.areas.data or [],
            level=form.level.data,
            override_reason=form.override_reason.data,
            expected_version=form.version.data,
        )
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(back + "#decision")
    db.session.commit()
    flash(_("The decision is recorded."), "success")
    return redirect(back)


# -- announcement ----------------------------------------------------------------------------


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


@operation("call", "announce")
def announce(call, actor, comment=None, expected_version=None):
    """Announce the call: every recognised nomination becomes public at once."""
    event = fire(call, "announce", actor, comment, expected_version=expected_version)
    now = utcnow()
    call.announced_at = now
    recognised = list(
        db.session.scalars(
            sa.select(Nomination).where(
                Nomination.call_id == call.id, Nomination.state == "recognised"
            )
        )
    )
    results = fire_many(recognised, "announce", actor, comment)
    refused = [r for r in results if not r.done]
    if refused:
        # All at once or not at all: a call announced with a recognised nomination left
        # unpublished would never publish it (the call's announce is final).
        raise ConditionNotMet(
            lazy_ngettext(
                "%(num)d recognised nomination could not be announced: %(reason)s",
                "%(num)d recognised nominations could not be announced: %(reason)s",
                len(refused),
                reason=refused[0].message,
            ),
            "announce",
        )
    for result in results:
        result.obj.announced_at = now
    db.session.flush()
    return event


@operation("nomination", "announce")
def announce_nomination(nomination, actor, comment=None, expected_version=None):
    """Publish a recognised nomination, dated with its call's announcement.

    nomination.yaml guards the transition with "call_is_announced": a nomination becomes
    public with its call (see announce()), never one city early.
    """
    event = fire(nomination, "announce", actor, comment, expected_version=expected_version)
    nomination.announced_at = nomination.call.announced_at or utcnow()
    return event


@bp.route(f"/calls/<{ID}:call_id>/announcement", methods=["GET", "POST"])
@login_required
def announcement(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    form = AnnouncementForm.build(call)
    if form.validate_on_submit() and can(current_user, "edit", call):
        call.announcement = {
            code: (form[f"text_{code}"].data or "").strip()
            for code in LANGUAGES
            if (form[f"text_{code}"].data or "").strip()
        }
        db.session.commit()
        flash(_("The announcement text is saved."), "success")
        return redirect(url_for("secretariat.announcement", call_id=call.id))
    recognised = db.session.scalars(
        sa.select(Nomination)
        .where(Nomination.call_id == call.id, Nomination.state.in_(("recognised", "announced")))
        .order_by(Nomination.id)
    ).all()
    return render_template(
        "secretariat/announcement.html",
        call=call,
        form=form,
        recognised=recognised,
        editable=can(current_user, "edit", call),
        next_url=request.path,
    )
