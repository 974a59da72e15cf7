"""Letters of support: the authors ask, remind and replace referees; the referee answers
through a single-use link, without an account; readers download a letter sent as a PDF.

A referee's link (``/letters/<token>``) opens only its own letter's form, in the referee's
language, while the letter is awaited and the link valid; afterwards it answers 410 and
writes nothing. Only the token's sha256 is stored: an unknown token is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user, login_required

from ..config import LANGUAGES
from ..extensions import csrf, db
from ..i18n import LANGUAGE_COOKIE, request_locale
from ..i18n import gettext as _
from ..nominations.guards import nominated_by
from ..nominations.models import Nomination
from ..nominations.storage import UploadRefused
from ..programmes.formbuilder import format_answer
from ..storage import send_evidence
from ..web import accepts_uploads, page_the_user_was_on, safe_next
from ..workflow.engine import ConcurrentChange, WorkflowError
from ..workflow.security import can, require
from . import bp
from .forms import LetterForm, RefereeForm
from .mail import remind
from .models import Letter, letter_field
from .operations import (
    LETTER_CHARACTERS,
    LetterRefused,
    ask,
    can_remind_now,
    letter_by_token,
    receive,
    refusal,
    replace,
    store_pdf,
)

#: The session remembers the letter whose link the visitor opened: from then on the language
#: menu's choice counts, not the letter's language.
SEEN = "letter_seen"
#: Public answers the referee's page shows of the nomination, and how much of each.
SUMMARY_ANSWERS = 4
SUMMARY_KINDS = ("text", "long_text", "number", "date", "choice", "multiple_choice", "country")
SUMMARY_CHARACTERS = 600


# -- the authors' side ---------------------------------------------------------------------


def _load(letter_id: int) -> Letter:
    """A letter the user may see; 404 otherwise (ids reveal nothing)."""
    letter = db.session.get(Letter, letter_id)
    if letter is None or not can(current_user, "view", letter):
        abort(404)
    return letter


def _back(nomination: Nomination, field_id: str) -> str:
    """Where a letters form goes back to: the page it was sent from (the nomination's page or
    its edit page), at the field's letters."""
    default = url_for("nominations.show", nomination_id=nomination.id)
    target = safe_next(page_the_user_was_on(), default).split("#")[0]
    return f"{target}#letters-{field_id}"


@bp.get("/nominations/letters/<int:letter_id>")
@login_required
def letter(letter_id: int):
    """A letter's page: the letters panel of its nomination's page."""
    found = _load(letter_id)
    return redirect(
        url_for("nominations.show", nomination_id=found.nomination_id, _anchor=f"letter-{found.id}")
    )


@bp.route("/nominations/<int:nomination_id>/letters/<field_id>", methods=["GET", "POST"])
@login_required
def ask_referee(nomination_id: int, field_id: str):
    """Ask a referee for a letter: the panel's form posts here; errors show on this page,
    beside the fields."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not can(current_user, "view_file", nomination):
        abort(404)
    field = letter_field(nomination.programme, field_id)
    if field is None:
        abort(404)
    require("edit", nomination)
    form = RefereeForm(prefix=f"{field.id}-")
    if request.method == "GET":
        form.language.data = nomination.language
    if form.validate_on_submit():
        try:
            asked, _token = ask(nomination, field, form.details(), current_user)
        except LetterRefused as exc:
            db.session.rollback()
            _refused(form, exc)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is asked for a letter: %(email)s receives a link to write or "
                    "upload it.",
                    name=asked.referee_name,
                    email=asked.referee_email,
                ),
                "success",
            )
            return redirect(_back(nomination, field.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "letters/ask.html", nomination=nomination, field=field, form=form, replaced=None
    ), status


def _refused(form: RefereeForm, exc: LetterRefused) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, exc.message]
    else:
        flash(str(exc.message), "danger")


@bp.post("/nominations/letters/<int:letter_id>/remind")
@login_required
def remind_referee(letter_id: int):
    """Remind the referee (at most once a day), with a new link."""
    found = _load(letter_id)
    require("manage", found)
    if not can_remind_now(found):
        flash(_("The referee was written to less than a day ago: remind at most once a day."))
    else:
        remind(found)
        db.session.commit()
        flash(
            _("A reminder with a new link is sent to %(email)s.", email=found.referee_email),
            "success",
        )
    return redirect(_back(found.nomination, found.field))


@bp.route("/nominations/letters/<int:letter_id>/replace", methods=["GET", "POST"])
@login_required
def replace_referee(letter_id: int):
    """Ask another referee instead: the first one's link stops working."""
    found = _load(letter_id)
    require("manage", found)
    nomination = found.nomination
    require("edit", nomination)
    field = found.field_def
    if field is None:
        abort(404)
    form = RefereeForm(prefix=f"{field.id}-")
    if request.method == "GET":
        form.language.data = found.language
        form.version.data = found.version
    if form.validate_on_submit():
        try:
            asked, _token = replace(
                found, form.details(), current_user, expected_version=form.version.data
            )
        except ConcurrentChange:
            raise  # 409, with a link back to the page
        except LetterRefused as exc:
            db.session.rollback()
            _refused(form, exc)
        except WorkflowError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(_back(nomination, field.id))
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is asked instead: %(email)s receives a link to write or upload "
                    "the letter.",
                    name=asked.referee_name,
                    email=asked.referee_email,
                ),
                "success",
            )
            return redirect(_back(nomination, field.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "letters/ask.html", nomination=nomination, field=field, form=form, replaced=found
    ), status


@bp.get("/nominations/letters/<int:letter_id>/file")
@login_required
def download(letter_id: int):
    """The letter sent as a PDF, as a download, to those who may read it."""
    found = _load(letter_id)
    require("read", found)
    if not found.sha256:
        abort(404)
    response = send_evidence(found.sha256, mimetype=found.mime, download_name=found.filename)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- the referee's side --------------------------------------------------------------------


def _page_language(letter: Letter) -> str:
    """The referee's page speaks the letter's language; ``?lang=`` switches it, and so does
    the language menu once the referee has been here."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if session.get(SEEN) == letter.id:
        return request_locale()
    return letter.language if letter.language in LANGUAGES else "en"


def _private(response):
    """The referee's page holds a link that works once: no cache, no referrer, no index."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _gone(message: Any, status: int):
    return _private(make_response(render_template("letters/gone.html", message=message), status))


def summary(letter: Letter) -> dict[str, Any]:
    """What the referee reads of the nomination: who is nominated, to what, by whom, and a few
    of the answers the programme publishes with a recognition."""
    nomination = letter.nomination
    programme = nomination.programme
    answers = nomination.answers or {}
    shown = []
    for name, inp in programme.inputs.items():
        if not inp.field.public or inp.kind not in SUMMARY_KINDS or len(shown) >= SUMMARY_ANSWERS:
            continue
        value = format_answer(inp, answers.get(name))
        if value in (None, ""):
            continue
        if isinstance(value, str) and len(value) > SUMMARY_CHARACTERS:
            value = value[:SUMMARY_CHARACTERS].rstrip() + "…"
        shown.append((inp, value))
    return {
        "nominee_name": nomination.nominee_name(),
        "nominator_name": nominated_by(nomination) or nomination.nominee_name(),
        "requester_name": letter.requested_by.name if letter.requested_by else "",
        "answers": shown,
    }


@bp.route("/letters/<token>", methods=["GET", "POST"])
@csrf.exempt
@accepts_uploads
def respond(token: str):
    """The referee's page: the nomination in short, and the letter form. No account, no
    sign-in: the token is the key, to this letter only, once.

    The form checks its own CSRF token (exempt from the site-wide check), so that an expired
    form comes back with the letter typed, not as an error page that loses it.
    """
    found = letter_by_token(token)
    if found is None:
        with force_locale(request_locale()):
            return _gone(
                _(
                    "This link does not work. It may be incomplete, or a later e-mail may have "
                    "replaced it: use the link of the latest e-mail you received."
                ),
                404,
            )
    first_visit = session.get(SEEN) != found.id and request.args.get("lang") not in LANGUAGES
    language = _page_language(found)
    with force_locale(language):
        why_not = refusal(found)
        if why_not is not None:
            return _gone(why_not, 410)
        form = LetterForm()
        status = 200
        if request.method == "POST":
            done = _send(found, token, form)
            if done:
                return redirect(url_for("letters.sent", lang=language), 303)
            status = 400
        response = make_response(
            render_template(
                "letters/respond.html",
                letter=found,
                nomination=found.nomination,
                letters_field=found.field_def,
                form=form,
                language=language,
                max_mb=current_app.config["RECOGNITION_MAX_FILE_MB"],
                max_characters=LETTER_CHARACTERS,
                **summary(found),
            ),
            status,
        )
    if first_visit:
        session[SEEN] = found.id
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return _private(response)


def _send(letter: Letter, token: str, form: LetterForm) -> bool:
    """Check the referee's form, store the PDF, receive the letter; False with the errors on
    the form (what was typed is kept)."""
    form.validate()
    if form.errors.get("csrf_token"):
        form.form_errors.append(
            _("The form has expired. Your letter below is not sent yet: send it again.")
        )
        return False
    if form.errors:
        return False
    text = (form.text.data or "").strip()
    upload = request.files.get(form.letter_file.name)
    stored = None
    if upload is not None and upload.filename:
        try:
            stored = store_pdf(upload)
        except UploadRefused as exc:
            form.letter_file.errors = [
                _("“%(name)s”: %(reason)s", name=upload.filename[:100], reason=exc.message)
            ]
            return False
    if not text and stored is None:
        form.text.errors = [_("Write the letter here, or upload it as a PDF.")]
        return False
    try:
        receive(letter, token, text, stored)
    except ConcurrentChange:
        raise
    except WorkflowError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        return False
    db.session.commit()
    return True


@bp.get("/letters/sent")
def sent():
    """Thanks, after a letter is sent (the link no longer opens the form)."""
    with force_locale(request_locale()):
        return _private(make_response(render_template("letters/sent.html")))
