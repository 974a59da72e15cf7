"""The secretariat's register of past laureates: the list per programme, the CSV import with
its preview, and the panel of possible matches on a nomination's page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..i18n import gettext as _
from ..i18n import ngettext
from ..panels import panel
from ..web import accepts_uploads, conflict, paginate
from ..workflow.registry import bound_models, has_tag
from ..workflow.security import can, require
from . import bp
from .forms import ConfirmImportForm, ImportForm
from .guards import RESOLUTIONS
from .imports import Reading, mark_duplicates, read
from .matching import (
    RECOGNISED,
    laureate_level,
    near_threshold,
    possible_matches,
    register_applies,
)
from .models import RegisterEntry, RegisterMatch, name_key
from .operations import NewEntry, ResolutionChanged, import_entries, resolve_match

#: How long a preview may wait for its "Import" (seconds).
PREVIEW_SECONDS = 3600


def _programme(programme_id: str):
    programme = current_app.extensions["programmes"].get(programme_id)
    if programme is None:
        abort(404)
    return programme


def level_titles(programme) -> dict[str, str]:
    """Level id -> its translated title, for the pages."""
    titles = {lv.id: _(lv.title) for lv in programme.levels}
    titles.setdefault(RECOGNISED, _("Recognised"))
    return titles


@bp.get("/secretariat/register")
@login_required
def registers():
    """The registers of past laureates, one per programme, with their sizes."""
    require("run_campaign")
    counts = dict(
        db.session.execute(
            sa.select(RegisterEntry.programme_id, sa.func.count()).group_by(
                RegisterEntry.programme_id
            )
        ).all()
    )
    programmes = sorted(
        current_app.extensions["programmes"].values(), key=lambda p: _(p.title).casefold()
    )
    return render_template("nominees/registers.html", programmes=programmes, counts=counts)


@bp.get("/secretariat/register/<programme_id>")
@login_required
def register(programme_id: str):
    """A programme's register, searchable by name and level, a page at a time."""
    require("run_campaign")
    programme = _programme(programme_id)
    stmt = sa.select(RegisterEntry).where(RegisterEntry.programme_id == programme.id)
    query = (request.args.get("q") or "").strip()[:200]
    if name_key(query):
        stmt = stmt.where(RegisterEntry.key.contains(name_key(query), autoescape=True))
    titles = level_titles(programme)
    level = request.args.get("level") or ""
    if level in titles:
        stmt = stmt.where(RegisterEntry.level == level)
    stmt = stmt.order_by(RegisterEntry.year.desc(), RegisterEntry.key, RegisterEntry.id)
    return render_template(
        "nominees/register.html",
        programme=programme,
        page=paginate(stmt),
        query=query,
        level=level,
        level_titles=titles,
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="nominees.register-import")


def _token(programme_id: str, entries: list[NewEntry]) -> str:
    """The entries a preview offers to import, signed for this officer and programme."""
    rows = [[e.year, e.name, e.country, e.level] for e in entries]
    return _serializer().dumps({"p": programme_id, "u": current_user.id, "e": rows})


def _entries(programme_id: str, token: str) -> list[NewEntry] | None:
    """The entries of a preview's token, or None if it is not this officer's, for this
    programme, or has expired."""
    try:
        payload = _serializer().loads(token, max_age=PREVIEW_SECONDS)
    except BadData:
        return None
    if payload.get("p") != programme_id or payload.get("u") != current_user.id:
        return None
    return [
        NewEntry(int(year), str(name), name_key(str(name))[:200], country, str(level))
        for year, name, country, level in payload.get("e", [])
    ]


@bp.route("/secretariat/register/<programme_id>/import", methods=["GET", "POST"])
@login_required
@accepts_uploads
def import_register(programme_id: str):
    """Upload a CSV of historic laureates; see each row checked before importing."""
    require("run_campaign")
    programme = _programme(programme_id)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        max_bytes = current_app.config["RECOGNITION_MAX_FORM_KB"] << 10
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors.append(_("Choose a CSV file."))
        else:
            reading = read(upload.stream.read(max_bytes + 1), programme, max_bytes)
            if reading.problem is None:
                return _preview(programme, reading, max_bytes)
            form.file.errors.append(reading.problem)
    return _import_page(programme, form)


def _import_page(programme, form: ImportForm):
    level_ids = [lv.id for lv in programme.levels] or [laureate_level(programme)]
    return render_template(
        "nominees/import.html", programme=programme, form=form, level_ids=level_ids
    )


def _preview(programme, reading: Reading, max_bytes: int):
    mark_duplicates(reading, programme.id)
    confirm = ConfirmImportForm()
    confirm.token.data = _token(programme.id, reading.new)
    if len(confirm.token.data) > max_bytes - 4096:
        form = ImportForm(formdata=None)
        form.file.errors = [
            _("The file holds too many entries to import at once: split it into several files.")
        ]
        return _import_page(programme, form)
    return render_template(
        "nominees/preview.html",
        programme=programme,
        reading=reading,
        confirm=confirm,
        level_titles=level_titles(programme),
    )


@bp.post("/secretariat/register/<programme_id>/import/confirm")
@login_required
def confirm_import(programme_id: str):
    """Import the entries a preview showed; those the register holds by now are skipped."""
    require("run_campaign")
    programme = _programme(programme_id)
    form = ConfirmImportForm()
    entries = _entries(programme.id, form.token.data or "") if form.validate_on_submit() else None
    if entries is None:
        flash(_("This preview has expired. Send the file again."), "warning")
        return redirect(url_for("nominees.import_register", programme_id=programme.id))
    added, skipped = import_entries(programme.id, entries, current_user)
    db.session.commit()
    message = ngettext("%(num)d entry imported.", "%(num)d entries imported.", added)
    if skipped:
        message += " " + ngettext(
            "%(num)d duplicate skipped.", "%(num)d duplicates skipped.", skipped
        )
    flash(message, "success")
    return redirect(url_for("nominees.register", programme_id=programme.id))


# -- possible matches on a nomination's page ------------------------------------------------


def may_resolve(user: Any, nomination: Any) -> bool:
    """The secretariat (who runs the campaign and sees the whole file) says whether a
    register entry is the nominee. Screening happens before review, where no one holds
    ``view_scores`` or ``assign`` yet, hence the site's ``run_campaign``."""
    if can(user, "view_scores", nomination) or can(user, "assign", nomination):
        return True
    return can(user, "run_campaign") and can(user, "view_file", nomination)


def _open(nomination: Any) -> bool:
    """Matches are resolved until the nomination is decided or closed."""
    return has_tag(nomination, "unsubmitted") or has_tag(nomination, "undecided")


def _matches(nomination: Any) -> list[dict[str, Any]]:
    """The possible matches of the nomination's nominee with what the secretariat said of
    each; and the resolutions of entries that no longer match (the name changed)."""
    programme = nomination.programme
    candidates = possible_matches(
        nomination.call.programme_id,
        laureate_level(programme),
        nomination.nominee,
        near_threshold(programme),
        excluding_nomination=nomination.id,
    )
    recorded = {
        m.entry_id: m
        for m in db.session.scalars(
            sa.select(RegisterMatch)
            .options(joinedload(RegisterMatch.resolved_by))
            .where(RegisterMatch.nomination_id == nomination.id)
            .order_by(RegisterMatch.id)
        ).unique()
    }
    rows = [
        {
            "entry": c.entry,
            "similarity": c.similarity,
            "exact": c.exact,
            "match": recorded.pop(c.entry.id, None),
        }
        for c in candidates
    ]
    rows.extend(
        {"entry": m.entry, "similarity": m.similarity, "exact": False, "match": m}
        for m in recorded.values()
    )
    return rows


@panel("nominations.show", "nominees/_matches.html", order=5)
def register_panel(nomination: Any) -> dict[str, Any]:
    """For the secretariat: the register entries that may be the nominee, to resolve."""
    programme = nomination.programme
    if not register_applies(programme) or not may_resolve(current_user, nomination):
        return {"register_matches": None}
    return {
        "register_matches": {
            "rows": _matches(nomination),
            "open": _open(nomination),
            "level_titles": level_titles(programme),
            "threshold": near_threshold(programme),
        }
    }


@bp.post("/nominations/<int:nomination_id>/register-matches/<int:entry_id>")
@login_required
def resolve(nomination_id: int, entry_id: int):
    """Say whether a register entry is the nomination's nominee: "same" or "different"."""
    nomination = db.get_or_404(bound_models()["nomination"], nomination_id)
    require("view_file", nomination)
    if not may_resolve(current_user, nomination):
        abort(403)
    entry = db.get_or_404(RegisterEntry, entry_id)
    back = url_for("nominations.show", nomination_id=nomination.id) + "#register-matches"
    candidates = {row["entry"].id: row for row in _matches(nomination)}
    if entry.id not in candidates:
        abort(404)
    resolution = request.form.get("resolution", "")
    if resolution not in RESOLUTIONS:
        abort(400)
    if not _open(nomination):
        abort(403, _("Possible matches are resolved until the nomination is decided."))
    try:
        changed = resolve_match(
            nomination,
            entry,
            resolution,
            seen=request.form.get("seen", ""),
            similarity=candidates[entry.id]["similarity"],
            actor=current_user,
            expected_version=_version(request.form.get("version")),
        )
    except ResolutionChanged:
        return conflict()
    db.session.commit()
    if not changed:
        flash(_("This was already recorded."), "info")
    elif resolution == "same":
        flash(_("Recorded: the nominee is this past Laureate."), "success")
    else:
        flash(_("Recorded: this past Laureate is a different nominee."), "success")
    return redirect(back)


def _version(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdecimal() and value.isascii() and len(value) < 10 else None
