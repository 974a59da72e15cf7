"""Partner pages: apply, the partner's page, its profile and members, the public directory."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from ..accounts.operations import create_user, user_by_email
from ..accounts.throttling import spend_by_address, too_many
from ..config import LANGUAGES
from ..extensions import db
from ..i18n import country_name, current_language
from ..i18n import gettext as _
from ..panels import panels_for
from ..web import conflict, paginate, public_page
from ..workflow.engine import WorkflowError, available_transitions
from ..workflow.history import history_of
from ..workflow.registry import has_tag
from ..workflow.security import can, require
from . import bp
from .forms import ActionForm, ApplyWithAccountForm, MemberForm, OrganisationForm
from .labels import GLOBAL, essential_title, essential_titles, kind_title
from .models import PARTNER_KINDS, Partner, partner_ids_of, partners_of
from .operations import (
    MemberRefused,
    add_deputy,
    apply,
    make_focal_point,
    member_of,
    notify_application,
    remove_member,
    update_profile,
)
from .queries import DirectoryFilters, directory, listed_countries, name_taken

#: The longest search text taken from the address; the rest is ignored.
SEARCH_LENGTH = 100


def acting_for() -> set[int]:
    """Ids of the partners the signed-in user acts for, read once per request."""
    return partner_ids_of(current_user)


def insider(partner: Partner) -> bool:
    """Whether the current user sees the partner from the inside: its members and the
    secretariat (members, their addresses, the state and its history)."""
    return partner.id in acting_for() or can(current_user, "run_campaign")


def load(partner_id: int, permission: str) -> Partner:
    """The partner, if the current user holds ``permission`` on it (404 if they may not even
    see it, 403 otherwise)."""
    partner = db.get_or_404(Partner, partner_id)
    require(permission, partner)
    return partner


@bp.context_processor
def helpers() -> dict:
    return {"kind_title": kind_title, "essential_title": essential_title, "GLOBAL": GLOBAL}


# -- the directory -----------------------------------------------------------------------------


def _arg(name: str, length: int) -> str:
    return " ".join((request.args.get(name) or "").split())[:length]


def _filters(essentials: dict[int, str]) -> DirectoryFilters:
    """The directory's filters read from the address; anything unreadable is no filter."""
    kind = request.args.get("kind")
    country: str | None = _arg("country", 6)
    if country.lower() == GLOBAL:
        country = GLOBAL
    elif len(country) == 2 and country.isascii() and country.isalpha():
        country = country.upper()
    else:
        country = None
    essential = _arg("essential", 3)
    return DirectoryFilters(
        kind=kind if kind in PARTNER_KINDS else None,
        country=country,
        essential=int(essential) if essential.isdigit() and int(essential) in essentials else None,
        text=_arg("q", SEARCH_LENGTH),
    )


@bp.get("/partners", endpoint="directory")
@public_page
def directory_page():
    """The campaign's verified partners: searchable by name in any language, filtered by
    kind, country (or global) and the Essential they support."""
    essentials = essential_titles()
    filters = _filters(essentials)
    countries = sorted(
        ((code, country_name(code)) for code in listed_countries()),
        key=lambda pair: pair[1].casefold(),
    )
    return render_template(
        "partners/directory.html",
        page=paginate(directory(filters)),
        filters=filters,
        essentials=essentials,
        countries=countries,
        kinds=PARTNER_KINDS,
        lang_arg=request.args.get("lang") if request.args.get("lang") in LANGUAGES else None,
    )


# -- applying ----------------------------------------------------------------------------------


def _names_taken(form: OrganisationForm, other_than: int | None = None) -> bool:
    """Mark each name that another application or partner uses; whether one was."""
    found = False
    for code in LANGUAGES:
        field = form.name_field(code)
        if field.data and name_taken([field.data], other_than):
            field.errors.append(
                _("An organisation with this name has already applied or is a campaign partner.")
            )
            found = True
    return found


@bp.route("/partners/apply", methods=["GET", "POST"], endpoint="apply")
def apply_page():
    """An organisation applies to become a campaign partner; who applies becomes its focal
    point. A visitor without an account applies with one."""
    new_account = not current_user.is_authenticated
    form = ApplyWithAccountForm() if new_account else OrganisationForm()
    if request.method == "GET":
        form.source_language.data = current_language()
        if new_account:
            form.locale.data = current_language()
    if request.method == "POST" and new_account:
        # Each submission also tells whether an address has an account: counted as a
        # registration is.
        wait = spend_by_address("register", "RECOGNITION_REGISTER_LIMIT", request.remote_addr)
        if wait:
            return too_many(wait, "partners/apply.html", form=form)
    if form.validate_on_submit() and not _names_taken(form):
        if new_account:
            try:
                user = create_user(
                    form.email.data,
                    form.account_name.data,
                    form.password.data,
                    locale=form.locale.data,
                    timezone=form.timezone.data,
                )
            except sa.exc.IntegrityError:  # the address was taken meanwhile (a double click)
                db.session.rollback()
                form.email.errors.append(_("An account with this e-mail address already exists."))
                return render_template("partners/apply.html", form=form)
        else:
            user = current_user._get_current_object()
        try:
            partner = apply(user, form.profile())
        except WorkflowError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return render_template("partners/apply.html", form=form)
        notify_application(partner, user, new_account=new_account)
        db.session.commit()
        if new_account:
            login_user(user)
        flash(
            _(
                "Thank you. %(partner)s awaits verification by the secretariat; you are its "
                "campaign focal point.",
                partner=partner.name(),
            ),
            "success",
        )
        return redirect(url_for("partners.show", partner_id=partner.id))
    return render_template("partners/apply.html", form=form)


@bp.get("/partners/ours")
@login_required
def ours():
    """The organisations the user acts for: its page when there is one."""
    partners = partners_of(current_user)
    if len(partners) == 1:
        return redirect(url_for("partners.show", partner_id=partners[0].id))
    return render_template("partners/ours.html", partners=partners)


# -- a partner's page --------------------------------------------------------------------------


@bp.get("/partners/<int:partner_id>")
@public_page
def show(partner_id: int):
    """A partner's page: public once verified; its members and the secretariat also see
    the state, the history and the members."""
    partner = load(partner_id, "view")
    inside = insider(partner)
    return render_template(
        "partners/show.html",
        partner=partner,
        insider=inside,
        member=partner.id in acting_for(),
        essentials=essential_titles(),
        transitions=available_transitions(current_user, partner, menu=True) if inside else [],
        history=history_of(partner) if inside else [],
        # The partner's recognised nominations (added by partners.record), ...
        **panels_for("partners.show", partner),
    )


def _edit_page(partner: Partner, form=None, member_form=None, status: int = 200):
    if form is None:
        form = OrganisationForm(formdata=None)
        form.show(partner)
    return render_template(
        "partners/edit.html",
        partner=partner,
        form=form,
        member_form=member_form or MemberForm(formdata=None),
        may_invite=has_tag(partner, "partnering"),
    ), status


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
@login_required
def edit(partner_id: int):
    """Edit the partner's profile; its members below."""
    partner = load(partner_id, "edit")
    if request.method == "GET":
        return _edit_page(partner)
    form = OrganisationForm()
    if form.validate_on_submit() and not _names_taken(form, other_than=partner.id):
        if form.version.data is not None and form.version.data != partner.version:
            return conflict()
        update_profile(partner, form.profile())
        db.session.commit()
        flash(_("The profile is saved."), "success")
        return redirect(url_for("partners.show", partner_id=partner.id))
    return _edit_page(partner, form=form)


@bp.post("/partners/<int:partner_id>/members")
@login_required
def add_member(partner_id: int):
    """Add a deputy by the e-mail address of their account, or invite them."""
    partner = load(partner_id, "edit")
    form = MemberForm()
    if not form.validate_on_submit():
        return _edit_page(partner, member_form=form)
    may_invite = has_tag(partner, "partnering")
    inviting = user_by_email(form.email.data) is None
    if inviting and not may_invite:
        form.email.errors.append(
            _(
                "No account uses this address. You can invite people once the secretariat has "
                "verified your organisation."
            )
        )
        return _edit_page(partner, member_form=form)
    if inviting and form.name.data:
        # An invitation makes an account: counted as a registration is.
        wait = spend_by_address("register", "RECOGNITION_REGISTER_LIMIT", request.remote_addr)
        if wait:
            form.email.errors.append(_("Too many invitations from here. Try again later."))
            return _edit_page(partner, member_form=form, status=429)
    try:
        member = add_deputy(partner, form.email.data, current_user, invite_as=form.name.data or "")
    except MemberRefused as exc:
        db.session.rollback()
        form.email.errors.append(str(exc.message))
        return _edit_page(partner, member_form=form)
    db.session.commit()
    if inviting:
        flash(
            _("%(name)s is invited and will act for the organisation.", name=member.user.name),
            "success",
        )
    else:
        flash(_("%(name)s now acts for the organisation.", name=member.user.name), "success")
    return redirect(url_for("partners.edit", partner_id=partner.id))


def _member_action(partner_id: int, member_id: int):
    """The partner and the member a button acts on, the form checked (its CSRF token)."""
    partner = load(partner_id, "edit")
    member = member_of(partner, member_id)
    if member is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    return partner, member


@bp.post("/partners/<int:partner_id>/members/<int:member_id>/remove")
@login_required
def remove(partner_id: int, member_id: int):
    """Remove a deputy."""
    partner, member = _member_action(partner_id, member_id)
    name = member.user.name
    try:
        remove_member(partner, member)
    except MemberRefused as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for("partners.edit", partner_id=partner_id))
    db.session.commit()
    flash(_("%(name)s no longer acts for the organisation.", name=name), "success")
    g.pop("partner_ids", None)
    if not can(current_user, "edit", partner):  # they removed themselves
        return redirect(url_for("partners.ours"))
    return redirect(url_for("partners.edit", partner_id=partner_id))


@bp.post("/partners/<int:partner_id>/members/<int:member_id>/focal")
@login_required
def make_focal(partner_id: int, member_id: int):
    """Hand the focal point role to another member."""
    partner, member = _member_action(partner_id, member_id)
    make_focal_point(partner, member, current_user)
    db.session.commit()
    flash(_("%(name)s is now the campaign focal point.", name=member.user.name), "success")
    return redirect(url_for("partners.edit", partner_id=partner_id))
