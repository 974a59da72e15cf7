"""Sign in and out, register a city, profile, password, and city pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..i18n import current_language
from ..i18n import gettext as _
from ..timeutil import utcnow
from ..web import safe_next
from ..workflow.engine import available_transitions
from ..workflow.history import history_of
from ..workflow.security import can, require
from . import bp
from .forms import (
    InviteForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    RequestResetForm,
    SetPasswordForm,
)
from .models import City, Membership
from .operations import (
    authenticate,
    check_password,
    cities_of,
    create_user,
    notify_invitation,
    notify_registration,
    register_city,
    request_password_reset,
    revoke_sessions,
    set_password,
)
from .throttling import (
    forget_failed_logins,
    record_failed_login,
    seconds_until_allowed,
    spend_by_address,
    timebox,
    too_many,
)
from .tokens import TokenInvalid, read_token


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        # Throttled per (account, address) and per address: someone elsewhere failing with
        # this account slows only themselves, never its owner.
        address = request.remote_addr
        wait = seconds_until_allowed(form.email.data, address)
        if wait:
            return too_many(wait, "accounts/login.html", form=form)
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            record_failed_login(form.email.data, address)
            form.password.errors.append(_("Wrong e-mail address or password."))
        else:
            forget_failed_logins(form.email.data, address)
            db.session.commit()  # a rehashed password is saved
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(form.next.data, url_for("main.home")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out, here and in every other session of the account: a copied cookie, or one
    left on another computer, stops working too."""
    if current_user.is_authenticated:
        revoke_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A city focal point registers: an account and a city that awaits verification."""
    require("register_city")
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    if request.method == "GET":
        form.locale.data = current_language()
    if request.method == "POST" and (
        wait := spend_by_address("register", "RECOGNITION_REGISTER_LIMIT", request.remote_addr)
    ):
        # Every submission counts: each one also tells whether an address has an account.
        return too_many(wait, "accounts/register.html", form=form)
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data,
                form.name.data,
                form.password.data,
                locale=form.locale.data,
                timezone=form.timezone.data,
            )
        except sa.exc.IntegrityError:
            _email_taken_meanwhile(form)
            return render_template("accounts/register.html", form=form)
        city = register_city(
            user, form.city_name.data, form.country.data, form.region.data, form.population.data
        )
        notify_registration(user, city)
        db.session.commit()
        login_user(user)
        flash(
            _(
                "Welcome! Your city %(city)s awaits verification by the secretariat.",
                city=city.name,
            ),
            "success",
        )
        return redirect(url_for("accounts.city", city_id=city.id))
    return render_template("accounts/register.html", form=form)


def _email_taken_meanwhile(form) -> None:
    """Undo the refused insert and say so next to the e-mail field.

    The form checked the address is free, but another request (a double click) took it
    before this one's insert: the unique constraint refused it.
    """
    db.session.rollback()
    form.email.errors.append(_("An account with this e-mail address already exists."))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data
        current_user.locale = form.locale.data
        current_user.timezone = form.timezone.data
        current_user.country = form.country.data or None
        current_user.affiliations = form.affiliations.data or ""
        if can(current_user, "review"):  # the only ones the page asks
            current_user.languages = form.languages_read()
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=form,
        password_form=PasswordChangeForm(),
        cities=cities_of(current_user),
    )


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    """Change the password; every other session of the account ends, this one goes on."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not check_password(user, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            set_password(user, form.password.data)
            revoke_sessions(user)
            db.session.commit()
            login_user(user)  # this session, in the new generation
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=ProfileForm(obj=current_user),
        password_form=form,
        cities=cities_of(current_user),
    ), 400


@bp.post("/profile/sessions")
@login_required
def sign_out_everywhere():
    """End every other session of the account: other browsers and devices, copied cookies,
    remember-me cookies. This one goes on."""
    user = current_user._get_current_object()
    revoke_sessions(user)
    db.session.commit()
    login_user(user)
    flash(_("You are signed out everywhere else."), "success")
    return redirect(url_for("accounts.profile"))


@bp.get("/cities/<int:city_id>")
@login_required
def city(city_id: int):
    """A city's page: its details, focal points, verification state menu and history."""
    city = db.get_or_404(City, city_id)
    require("view", city)
    members = db.session.scalars(
        sa.select(Membership).where(Membership.city_id == city.id).join(Membership.user)
    ).all()
    return render_template(
        "accounts/city.html",
        city=city,
        members=members,
        transitions=available_transitions(current_user, city, menu=True),
        history=history_of(city),
    )


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The e-mailed link opens a page whose button confirms the address (a POST, with its
    CSRF token): mail scanners and link previews open links, they do not press buttons."""
    try:
        user = read_token(token, "confirm")
    except TokenInvalid as exc:
        flash(_link_problem(exc), "danger")
        return redirect(url_for("main.home"))
    if request.method == "POST":
        user.email_confirmed_at = utcnow()
        db.session.commit()
        flash(_("Thank you: your e-mail address is confirmed."), "success")
        return redirect(url_for("main.home"))
    return render_template("accounts/confirm.html", email=user.email)


def _link_problem(exc: TokenInvalid) -> str:
    if exc.expired:
        return _("This link has expired. Ask for a new one.")
    return _("This link is not valid, or it was used already.")


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Send a reset link; answer the same, in the same time, whether or not the address has
    an account."""
    form = RequestResetForm()
    if form.validate_on_submit():
        address = request.remote_addr
        if wait := spend_by_address("reset", "RECOGNITION_RESET_REQUEST_LIMIT", address):
            return too_many(wait, "accounts/forgot.html", form=form)
        with timebox(current_app.config["RECOGNITION_RESET_MIN_MS"] / 1000):
            request_password_reset(form.email.data)
            db.session.commit()
        flash(_("If an account uses this address, a message with a link is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = read_token(token, "reset")
    except TokenInvalid as exc:
        flash(_link_problem(exc), "danger")
        return redirect(url_for("accounts.forgot_password"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.password.data)
        revoke_sessions(user)  # whoever knew the old password is signed out
        db.session.commit()
        flash(_("Your password is changed. Sign in with it now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/set_password.html", form=form, title=_("Choose a new password")
    )


@bp.route("/invite", methods=["GET", "POST"])
@login_required
def invite():
    """The secretariat invites a reviewer or a secretariat member by e-mail."""
    require("invite")
    form = InviteForm()
    if request.method == "GET":
        form.locale.data = current_user.locale
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data,
                form.name.data,
                None,
                locale=form.locale.data,
                roles=(form.role.data,),
                country=form.country.data or None,
                affiliations=form.affiliations.data or "",
                languages=form.languages_read(),
            )
        except sa.exc.IntegrityError:
            _email_taken_meanwhile(form)
            return render_template("accounts/invite.html", form=form)
        notify_invitation(user, current_user, form.role_title())
        db.session.commit()
        flash(_("%(name)s is invited.", name=user.name), "success")
        return redirect(url_for("accounts.invite"))
    return render_template("accounts/invite.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        user = read_token(token, "invite")
    except TokenInvalid as exc:
        flash(_link_problem(exc), "danger")
        return redirect(url_for("main.home"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.password.data)
        user.email_confirmed_at = utcnow()
        db.session.commit()
        login_user(user)
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
        return redirect(url_for("main.home"))
    return render_template(
        "accounts/set_password.html", form=form, title=_("Accept the invitation")
    )
