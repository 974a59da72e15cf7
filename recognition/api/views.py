"""Pages around the API: a user's personal access tokens (made, listed, revoked) and the
API's documentation, read from its OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..accounts.operations import check_password
from ..extensions import db
from ..i18n import gettext as _
from .forms import TokenForm
from .operations import create_token, revoke_token, token_of, tokens_of

pages = Blueprint("api_pages", __name__)

#: The documentation page's Content-Security-Policy: Swagger UI styles its parts inline.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@pages.route("/profile/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The user's tokens; a new one is shown once, on the page that made it."""
    form = TokenForm()
    made = None
    if form.validate_on_submit():
        if not check_password(current_user._get_current_object(), form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            _token, made = create_token(current_user, form.name.data, form.scope.data)
            db.session.commit()
            form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, tokens=tokens_of(current_user), made=made)


@pages.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = token_of(current_user, token_id) or abort(404)
    if token.active:
        revoke_token(token)
        db.session.commit()
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    else:
        flash(_("This token is already revoked."), "info")
    return redirect(url_for("api_pages.tokens"), 303)


@pages.get("/api/docs")
def docs():
    """The API's documentation: every operation, its parameters and answers, from
    /api/openapi.json, with a form to try each one."""
    g.csp = DOCS_CSP
    return render_template("api/docs.html")
