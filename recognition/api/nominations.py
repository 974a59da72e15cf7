"""With a token: who the token acts as, the nominations its user may read whole, a
nomination (or its public projection), saving answers, and the secretariat's decision. Each
is checked as the matching page checks it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.operations import city_ids_of
from ..extensions import db
from ..i18n import gettext as _
from ..nominations.models import Nomination
from ..nominations.operations import files_by_field, save_answers
from ..nominations.validation import problems
from ..nominations.views import public_projection, visible
from ..programmes.formbuilder import answers_from_form
from ..secretariat.forms import DecisionForm
from ..secretariat.operations import decide
from ..web import problem
from ..workflow.engine import (
    ConcurrentChange,
    NotAllowed,
    WorkflowError,
    WrongState,
)
from ..workflow.security import (
    can,
    permission_clause,
    require,
    roles_for,
    roles_with_permission,
)
from . import schemas as s
from .auth import ANYONE, TOKEN, api_blueprint, current_token
from .common import (
    call_ref,
    form_data,
    invalid,
    nominee_doc,
    options_doc,
    page_doc,
    paged_rows,
    state_doc,
    utc,
    version_of,
)

blp = api_blueprint("api-nominations", "Nominations: read, save answers, decide.")


def signed_in():
    """401 unless the request presents a token: what a page asks signing in for."""
    if current_token() is None:
        abort(401)


def nomination_doc(nomination: Nomination) -> dict[str, Any]:
    return {
        "id": nomination.id,
        "call": call_ref(nomination.call),
        "nominee": nominee_doc(nomination),
        "state": state_doc(nomination),
        "version": version_of(nomination),
        "updated_at": utc(nomination.updated_at),
    }


def file_doc(attachment: Any) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "name": attachment.filename,
        "size": attachment.size,
        "type": attachment.mime,
    }


def detail_doc(nomination: Nomination) -> dict[str, Any]:
    """The whole file for a reader with ``view_file``; else the public projection."""
    whole = can(current_user, "view_file", nomination)
    editable = whole and can(current_user, "edit", nomination)
    answers, files = (
        (nomination.answers or {}, files_by_field(nomination))
        if whole
        else public_projection(nomination)
    )
    return {
        **nomination_doc(nomination),
        "whole_file": whole,
        "answers": answers,
        "files": {name: [file_doc(a) for a in found] for name, found in files.items()},
        "problems": [
            {"section": p.section.id, "input": p.input_name, "message": str(p.message)}
            for p in (problems(nomination, strict=True) if editable else [])
        ],
        "transitions": options_doc(nomination) if whole else [],
    }


def load(nomination_id: int) -> Nomination:
    """A nomination the reader may see (whole, or its public projection); 404 otherwise,
    whether it exists or not."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not visible(nomination):
        abort(404)
    return nomination


@blp.get("/me")
@blp.response(200, s.MeSchema)
@blp.doc(security=TOKEN)
def me():
    """The token's user: their roles everywhere and the cities they act for."""
    signed_in()
    user, token = current_user, current_token()
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "locale": user.locale,
        "roles": sorted(user.global_roles),
        "cities": sorted(city_ids_of(user)),
        "token": {"name": token.name, "scope": token.scope},
    }


@blp.get("/nominations")
@blp.arguments(s.NominationArgs, location="query")
@blp.response(200, s.paged(s.NominationSchema, "NominationPage"))
@blp.doc(security=TOKEN)
def nomination_list(args):
    """The nominations the token's user may read whole — a city's own, the ones a reviewer
    or partner works on, every one for the secretariat — newest first."""
    signed_in()
    stmt = sa.select(Nomination).where(permission_clause(Nomination, "view_file", current_user))
    if args.get("call"):
        stmt = stmt.where(Nomination.call_id == args["call"])
    page = paged_rows(stmt.order_by(Nomination.updated_at.desc(), Nomination.id.desc()), args)
    return page_doc(page, [nomination_doc(n) for n in page.items])


@blp.get("/nominations/<int:nomination_id>")
@blp.response(200, s.NominationDetailSchema)
@blp.doc(security=ANYONE)
def nomination(nomination_id: int):
    """A nomination: the whole file for those who may read it, else the public projection
    of an announced recognition; 404 for anything else."""
    return detail_doc(load(nomination_id))


@blp.patch("/nominations/<int:nomination_id>/answers")
@blp.arguments(s.AnswersSchema)
@blp.response(200, s.NominationDetailSchema)
@blp.doc(security=TOKEN)
def answers(body, nomination_id: int):
    """Save answers, valid or not, as the form saves a draft; the nomination's
    ``problems`` say what still stops it from being submitted. Files are sent on the
    pages."""
    signed_in()
    nomination = load(nomination_id)
    if not can(current_user, "edit", nomination):
        if roles_for(current_user, nomination).isdisjoint(
            roles_with_permission("edit", nomination)
        ):
            abort(403)  # never theirs to edit
        return problem(
            409,
            _(
                "This nomination can no longer be changed (it is “%(state)s”).",
                state=state_doc(nomination)["title"],
            ),
        )
    if "version" in body and body["version"] != nomination.version:
        raise ConcurrentChange(_("This nomination was changed since you read it."))
    programme = nomination.programme
    given = body["answers"]
    wrong: dict[str, list[str]] = {}
    for name, value in given.items():
        inp = programme.inputs.get(name)
        if inp is None or inp.kind in ("file", "evidence"):
            wrong[name] = [_("The form has no such answer.")]
        elif not _plain(value):
            wrong[name] = [_("Send a text, a number or a list of texts.")]
    if wrong:
        return problem(422, errors={"json": {"answers": wrong}})
    stored = nomination.answers or {}
    saved: dict[str, Any] = {}
    for section in programme.sections:
        names = {i.name for i in section.inputs()}
        if names.isdisjoint(given):
            continue
        merged = {n: stored.get(n) for n in names} | {n: given[n] for n in names & set(given)}
        typed = answers_from_form(section, form_data(merged))
        saved.update({n: typed[n] for n in names & set(given) if n in typed})
    try:
        save_answers(nomination, saved)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ConcurrentChange(_("This nomination was changed since you read it.")) from None
    return detail_doc(load(nomination_id))


def _plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    return value is None or isinstance(value, str | int | float) and not isinstance(value, bool)


@blp.post("/nominations/<int:nomination_id>/decision")
@blp.arguments(s.DecisionSchema)
@blp.response(200, s.NominationDetailSchema)
@blp.doc(security=TOKEN)
def decision(body, nomination_id: int):
    """Record the secretariat's decision, as the decision form does: the engine checks who
    may decide and the programme's rules (how many areas of strength, one Laureate...)."""
    signed_in()
    nomination = db.get_or_404(Nomination, nomination_id)
    require("view", nomination)
    form = DecisionForm(formdata=form_data(body), meta={"csrf": False})
    form.configure(nomination.programme)
    if not form.validate():
        return invalid(form)
    try:
        decide(nomination, form, current_user)
    except (ConcurrentChange, WrongState) as exc:
        # Someone else moved it first: 409 (the session is rolled back before any reading).
        db.session.rollback()
        raise ConcurrentChange(exc.message, exc.transition, exc.detail) from None
    except NotAllowed:
        abort(403)
    except WorkflowError as exc:
        db.session.rollback()
        return problem(422, exc.message)
    db.session.commit()
    return detail_doc(load(nomination_id))
