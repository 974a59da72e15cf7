"""City-side pages: start a nomination, edit it section by section, attach evidence,
follow its state; download evidence; compare submissions.

A nomination's page shows its whole file (every answer and file, the history, what changed)
to those holding ``view_file``; once announced, everyone else sees its public projection:
the decision and the answers and files of the fields the programme marks ``public``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, NoReturn

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from ..accounts.models import City
from ..accounts.operations import cities_of
from ..extensions import csrf, db, login
from ..i18n import country_name, deadline, ngettext
from ..i18n import gettext as _
from ..nominees.models import Nominee, nominee_for_city, nominee_named
from ..panels import panel, panels_for
from ..partners.models import Partner, partners_of
from ..programmes.formbuilder import answers_from_form, format_answer, section_form
from ..programmes.models import Call
from ..storage import send_evidence
from ..timeutil import utcnow
from ..web import accepts_uploads, paginate
from ..workflow.engine import available_transitions, embargoed, state_title, visible_history
from ..workflow.history import history_of
from ..workflow.registry import Consequence, consequences, has_tag, tagged
from ..workflow.security import can, permission_clause, require
from . import bp
from .forms import StartForm
from .guards import not_open_message
from .models import Attachment, Nomination
from .operations import (
    NominationRefused,
    attach,
    carried_fields,
    diff,
    existing_nomination,
    files_by_field,
    last_nomination,
    remove_attachment,
    save_answers,
    snapshots,
    start,
)
from .roles import authored_by
from .storage import UploadRefused
from .validation import completeness, problems


def _refuse() -> NoReturn:
    """Refuse what the user may not see: 404 when signed in; a signed-out visitor is asked to
    sign in, whether the nomination or file exists or not (ids reveal nothing)."""
    if not current_user.is_authenticated:
        abort(login.unauthorized())
    abort(404)


def visible(nomination: Nomination) -> bool:
    """Whether the current user may see the nomination's whole file or its public projection.

    The projection is public only once the call is announced too, as on the public pages.
    """
    if can(current_user, "view_file", nomination):
        return True
    return can(current_user, "view", nomination) and has_tag(nomination.call, "public")


def load(nomination_id: int) -> Nomination:
    """Load a nomination the current user may view; 404 otherwise (ids reveal nothing)."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not visible(nomination):
        _refuse()
    return nomination


def public_projection(nomination: Nomination) -> tuple[dict[str, Any], dict[str, list]]:
    """The answers and the files (by input) of the fields the programme marks public."""
    public = nomination.programme.public_inputs
    answers = {k: v for k, v in (nomination.answers or {}).items() if k in public}
    files = {k: v for k, v in files_by_field(nomination).items() if k in public}
    return answers, files


def _nominators(call: Call) -> list[tuple[str, str]]:
    """Whom the user may nominate for, as the programme allows: each verified city they act
    for (itself), each verified partner they act for, or themselves."""
    allowed = call.programme.nominating.nominators
    found = []
    if "self" in allowed:
        for city in cities_of(current_user):
            if has_tag(city, "approved"):
                found.append((f"city:{city.id}", _("%(city)s, for itself", city=city.name)))
    if "partner" in allowed:
        for partner in partners_of(current_user):
            if has_tag(partner, "partnering"):
                found.append(
                    (
                        f"partner:{partner.id}",
                        _("%(partner)s, a campaign partner", partner=partner.name()),
                    )
                )
    if "registered" in allowed and current_user.email_confirmed_at is not None:
        found.append(("me", _("Myself (%(name)s)", name=current_user.name)))
    return found


def _cities_to_nominate() -> list[tuple[int, str]]:
    """The verified cities one may nominate on their behalf, named with their country."""
    rows = db.session.execute(
        sa.select(City.id, City.name, City.country).where(tagged(City, "approved"))
    ).all()
    named = [(i, f"{name} ({country_name(country)})") for i, name, country in rows]
    return sorted(named, key=lambda pair: pair[1].casefold())


def _chosen_nominee(form: StartForm, nominator: str):
    """The nominee and partner the start form names, or None where a field says why."""
    kind, _sep, ident = nominator.partition(":")
    partner = None
    if kind == "city":
        return nominee_for_city(db.session.get(City, int(ident))), None
    if kind == "partner":
        partner = db.session.get(Partner, int(ident))
    if not form.validate_for(for_itself=False):
        return None, partner
    if form.kind.data == "city":
        return nominee_for_city(db.session.get(City, form.city.data)), partner
    nominee = nominee_named(
        form.kind.data,
        form.name.data,
        form.country.data,
        form.language.data,
        organisation_type=form.organisation_type.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
    )
    return nominee, partner


@bp.route("/calls/<int:call_id>/nominate", methods=["GET", "POST"])
@login_required
def begin(call_id: int):
    """Start a nomination: who nominates (a city for itself, a partner, oneself), whom, and
    in which language. The engine checks the programme's rules; a city nominated by someone
    else is asked to accept it."""
    call = db.get_or_404(Call, call_id)
    require("view", call)
    nominators = _nominators(call)
    if not nominators:
        flash(_("Only focal points of verified cities can nominate."), "warning")
        return redirect(url_for("programmes.call", call_id=call.id))
    # A city's existing nomination is offered first, even once the call has closed.
    if len(nominators) == 1 and nominators[0][0].startswith("city:"):
        city = db.session.get(City, int(nominators[0][0].partition(":")[2]))
        found = existing_nomination(call, city)
        if found is not None:
            flash(_("Your city already has a nomination for this call."), "info")
            return redirect(url_for("nominations.show", nomination_id=found.id))
    if not can(current_user, "nominate", call) or not call.accepting_nominations():
        flash(str(not_open_message(call)), "warning")
        return redirect(url_for("programmes.call", call_id=call.id))
    kinds = call.programme.nominating.nominees
    form = StartForm(nominators, kinds, _cities_to_nominate() if "city" in kinds else [])
    # The city's last nomination to the programme, to start from (a renewal, a new cycle).
    last = _last_of_own_city(call, nominators)
    if request.method == "GET":
        form.language.data = last.language if last else current_user.locale
        form.nominator.data = nominators[0][0]
        form.kind.data = kinds[0]
        form.previous.data = last is not None and request.args.get("from") == str(last.id)
    if form.validate_on_submit():
        nominee, partner = _chosen_nominee(form, form.nominator.data)
        previous = last_nomination(call, nominee) if nominee and form.previous.data else None
        if nominee is not None and form.previous.data and previous is None:
            form.previous.errors.append(
                _("There is no earlier nomination of this nominee to the programme to start from.")
            )
            nominee = None
        if nominee is not None:
            try:
                nomination = start(
                    call, nominee, form.language.data, current_user, partner, previous=previous
                )
            except NominationRefused as exc:
                flash(str(exc.message), "warning")
                if exc.existing is not None:
                    return redirect(url_for("nominations.show", nomination_id=exc.existing.id))
                return render_template(
                    "nominations/start.html", call=call, form=form, last=last
                ), 422
            db.session.commit()
            if has_tag(nomination, "consent"):
                flash(
                    _(
                        "The nomination is started. The city is asked to accept it; you can "
                        "prepare it meanwhile."
                    ),
                    "success",
                )
            else:
                flash(
                    _("Your nomination is started. It is saved as a draft until you submit it."),
                    "success",
                )
            first = call.programme.sections[0].id
            return redirect(
                url_for("nominations.edit", nomination_id=nomination.id, section_id=first)
            )
    return render_template("nominations/start.html", call=call, form=form, last=last)


def _last_of_own_city(call: Call, nominators: list[tuple[str, str]]) -> Nomination | None:
    """The last nomination to the programme of the first city the user nominates for."""
    city_choice = next((c for c, _title in nominators if c.startswith("city:")), None)
    if city_choice is None:
        return None
    city_id = int(city_choice.partition(":")[2])
    nominee = db.session.scalar(sa.select(Nominee).where(Nominee.city_id == city_id))
    return last_nomination(call, nominee) if nominee else None


@panel("programmes.call", "nominations/_call_panel.html")
def your_nomination(call: Call) -> dict:
    """On a call's page: the nominations to it the user is an author of — their city's
    first — and whether they may start another (a partner or a registered nominator may
    nominate several nominees)."""
    if not current_user.is_authenticated:
        return {"existing": None, "authored": [], "more": False}
    authored = db.session.scalars(
        sa.select(Nomination)
        .where(Nomination.call_id == call.id, authored_by(current_user))
        .order_by(Nomination.id)
        .limit(50)
    ).all()
    own = {m.city_id for m in current_user.memberships}
    existing = next((n for n in authored if n.city_id in own and n.partner_id is None), None)
    nominators = _nominators(call) if can(current_user, "nominate", call) else []
    more = any(not choice.startswith("city:") for choice, _title in nominators)
    return {"existing": existing, "authored": authored, "more": more}


@panel("nominations.show", "nominations/_result.html", order=0)
def outcome(nomination: Nomination) -> dict[str, Any]:
    """The page leads with the outcome once it may be known: the level or the areas of
    strength, the decision's text for the city, the certificate and the public page. Nothing
    while the decision is under embargo (before the call's announcement)."""
    if not has_tag(nomination, "outcome") or embargoed(current_user, nomination):
        return {"outcome": None}
    programme = nomination.programme
    whole_file = can(current_user, "view_file", nomination)
    return {
        "outcome": {
            "is_recognition": has_tag(nomination, "recognition"),
            "level": programme.level(nomination.award_level or ""),
            "areas": [
                c for c in programme.rubric.criteria if c.essential in nomination.areas_of_strength
            ],
            "text": nomination.decision_comment if whole_file else "",
            "public": has_tag(nomination, "public"),
        }
    }


@consequences("call", "close")
def drafts_left_behind(call: Call) -> list[Consequence]:
    """On the confirmation page of closing a call: how early it is, and the drafts that
    will no longer be submitted."""
    found = []
    now = utcnow()
    if now < call.closes_at:
        days = (call.closes_at - now).days
        found.append(
            Consequence(
                ngettext(
                    "The call closes %(num)d day before its deadline (%(deadline)s).",
                    "The call closes %(num)d days before its deadline (%(deadline)s).",
                    days,
                    deadline=deadline(call.closes_at),
                )
            )
        )
    drafts = (
        db.session.execute(
            sa.select(City.name)
            .join(Nomination, Nomination.city_id == City.id)
            .where(Nomination.call_id == call.id, tagged(Nomination, "unsubmitted"))
            .order_by(City.name)
        )
        .scalars()
        .all()
    )
    if drafts:
        found.append(
            Consequence(
                ngettext(
                    "%(num)d draft will no longer be submitted:",
                    "%(num)d drafts will no longer be submitted:",
                    len(drafts),
                ),
                tuple((name, _("Draft")) for name in drafts),
            )
        )
    return found


@bp.get("/nominations")
@login_required
def mine():
    """The nominations the user is an author of — their cities', their own and their
    partners' — newest first."""
    stmt = (
        sa.select(Nomination)
        .where(permission_clause(Nomination, "view", current_user))
        .where(authored_by(current_user))
        .order_by(Nomination.updated_at.desc(), Nomination.id.desc())
    )
    return render_template("nominations/mine.html", page=paginate(stmt))


@bp.get("/nominations/<int:nomination_id>")
def show(nomination_id: int):
    """The whole nomination for those with ``view_file``; else its public projection (no
    sign-in needed once announced): no private answer or file, no history, no comments."""
    nomination = load(nomination_id)
    programme = nomination.programme
    whole_file = can(current_user, "view_file", nomination)
    editable = can(current_user, "edit", nomination)
    found = problems(nomination, strict=True) if editable else []
    if whole_file:
        answers, files = nomination.answers or {}, files_by_field(nomination)
    else:
        answers, files = public_projection(nomination)
    return render_template(
        "nominations/show.html",
        nomination=nomination,
        programme=programme,
        whole_file=whole_file,
        editable=editable,
        problems=found,
        progress=completeness(nomination) if editable else {},
        transitions=available_transitions(current_user, nomination, menu=True),
        # A decision before its announcement is not the city's to read yet (its embargo).
        history=visible_history(current_user, nomination, history_of(nomination))
        if whole_file
        else [],
        format_answer=format_answer,
        answers=answers,
        files_by_field=files,
        has_changes=whole_file and len(snapshots(nomination)) > 1,
        # The reviews (review package), the decision form (secretariat), ...
        **panels_for("nominations.show", nomination),
    )


@bp.route("/nominations/<int:nomination_id>/edit/<section_id>", methods=["GET", "POST"])
@csrf.exempt
@login_required
@accepts_uploads
def edit(nomination_id: int, section_id: str):
    """Edit one section; saving keeps everything typed, valid or not, and shows the errors.

    The section form checks its own CSRF token (exempt from the site-wide check) so that an
    expired token shows the page again with what was typed, instead of an error page that
    loses a long answer.
    """
    nomination = load(nomination_id)
    if not can(current_user, "edit", nomination):
        flash(
            _(
                "This nomination can no longer be changed (it is “%(state)s”).",
                state=state_title(nomination, current_user),
            ),
            "warning",
        )
        return redirect(url_for("nominations.show", nomination_id=nomination.id), 303)
    programme = nomination.programme
    section = programme.section(section_id)
    if section is None:
        abort(404)
    if request.method == "POST":
        form = section_form(programme, section)
        form.validate()  # draft level: errors stay on the fields; the answers are kept anyway
        if form.errors.get("csrf_token"):
            flash(
                _("The form has expired. Your answers below were not saved yet: send them again."),
                "danger",
            )
            return render_page(nomination, section, form), 400
        try:
            save_answers(nomination, answers_from_form(section, request.form))
            upload_errors, removed = _handle_files(nomination, section, form)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash(
                _(
                    "Someone else saved this nomination at the same moment. Your answers below "
                    "were not saved yet: send them again."
                ),
                "danger",
            )
            return render_page(nomination, section, form), 409
        if removed:
            flash(_("The file “%(name)s” is removed.", name=removed), "info")
        if upload_errors or any(form[name].errors for name in form._fields if name != "csrf_token"):
            flash(
                _("Saved as a draft. Some answers need attention: see the messages below."),
                "warning",
            )
            return render_page(nomination, section, form), 200
        flash(_("Saved."), "success")
        target = section
        if request.form.get("go") == "next":
            index = programme.sections.index(section)
            if index + 1 < len(programme.sections):
                target = programme.sections[index + 1]
            else:
                return redirect(url_for("nominations.show", nomination_id=nomination.id))
        return redirect(
            url_for("nominations.edit", nomination_id=nomination.id, section_id=target.id)
        )
    form = section_form(programme, section, answers=nomination.answers or {})
    form.validate()
    if "csrf_token" in form:
        form.csrf_token.errors = []
    return render_page(nomination, section, form)


def _handle_files(nomination: Nomination, section, form) -> tuple[bool, str]:
    """Delete the attachment asked for, store the files sent; report refusals on the field.

    Returns whether an upload was refused, and the name of the file removed (if any), which
    is announced only once the change is committed.
    """
    failed = False
    removed = ""
    delete_id = request.form.get("delete_attachment", type=int)
    if delete_id:
        attachment = db.session.get(Attachment, delete_id)
        if (
            attachment is not None
            and attachment.nomination_id == nomination.id
            and can(current_user, "attach", nomination)
        ):
            removed = attachment.filename
            remove_attachment(attachment)
    for inp in section.inputs():
        if inp.kind not in ("file", "evidence"):
            continue
        for upload in request.files.getlist(inp.name):
            if not upload or not upload.filename:
                continue
            if not can(current_user, "attach", nomination):
                form[inp.name].errors = [_("Files can no longer be added.")]
                failed = True
                continue
            try:
                attach(nomination, inp.name, upload, current_user)
            except UploadRefused as exc:
                errors = list(form[inp.name].errors)
                errors.append(
                    _("“%(name)s”: %(reason)s", name=upload.filename[:100], reason=exc.message)
                )
                form[inp.name].errors = errors
                failed = True
    return failed, removed


def render_page(nomination: Nomination, section, form):
    return render_template(
        "nominations/edit.html",
        nomination=nomination,
        programme=nomination.programme,
        section=section,
        form=form,
        progress=completeness(nomination),
        files_by_field=files_by_field(nomination),
        carried=carried_fields(nomination),
        **panels_for("nominations.edit", nomination),
    )


@bp.get("/nominations/<int:nomination_id>/files/<int:attachment_id>")
def download(nomination_id: int, attachment_id: int):
    """Send an evidence file, always as a download: any file to those who see the whole
    nomination, only a file of a public field to those who see its public projection."""
    nomination = load(nomination_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.nomination_id != nomination.id:
        _refuse()
    if (
        not can(current_user, "view_file", nomination)
        and attachment.field not in nomination.programme.public_inputs
    ):
        _refuse()
    response = send_evidence(
        attachment.sha256, mimetype=attachment.mime, download_name=attachment.filename
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/nominations/<int:nomination_id>/changes")
@login_required
def changes(nomination_id: int):
    """What changed between the last two submissions (after a revision): the whole file's."""
    nomination = load(nomination_id)
    require("view_file", nomination)
    snaps = snapshots(nomination)
    if len(snaps) < 2:
        flash(_("There is only one submission so far: nothing to compare."), "info")
        return redirect(url_for("nominations.show", nomination_id=nomination.id))
    before, after = snaps[-2], snaps[-1]
    return render_template(
        "nominations/changes.html",
        nomination=nomination,
        programme=nomination.programme,
        before=before,
        after=after,
        changes=diff(before, after),
        format_answer=format_answer,
    )


def _as_filed(nomination: Nomination) -> dict[str, Any]:
    """A nomination's answers and files as a submission records them."""
    return {
        "answers": dict(nomination.answers or {}),
        "files": [
            {"field": a.field, "sha256": a.sha256, "filename": a.filename, "size": a.size}
            for a in nomination.attachments
        ],
    }


@bp.get("/nominations/<int:nomination_id>/since-last-time")
@login_required
def since_last_time(nomination_id: int):
    """What changed since the nomination it renews (a renewal, a new cycle), for whoever
    reads the whole file — its reviewers above all."""
    nomination = load(nomination_id)
    require("view_file", nomination)
    if nomination.renews_id is None:
        abort(404)
    previous = db.session.get(Nomination, nomination.renews_id)
    before = SimpleNamespace(**_as_filed(previous))
    return render_template(
        "nominations/changes.html",
        nomination=nomination,
        programme=nomination.programme,
        previous=previous,
        changes=diff(before, _as_filed(nomination)),
        format_answer=format_answer,
    )
