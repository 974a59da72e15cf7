"""Partner operations: apply, edit the profile, add, remove and promote members, and the
messages they send. Operations flush, never commit; the view commits once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..accounts.models import User
from ..accounts.operations import create_user, notify_invitation, user_by_email
from ..accounts.tokens import make_token
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..notifications.operations import absolute_url, in_locale, queue
from ..workflow.engine import create
from ..workflow.security import forget_roles, users_with_permission
from .models import Partner, PartnerMember


class MemberRefused(Exception):
    """A change of members that cannot be made; ``message`` says why, for the user."""

    def __init__(self, message: Any, field: str = "email"):
        self.message = message
        self.field = field
        super().__init__(str(message))


def _tell(user: User, partner: Partner, subject: Any, opening: Any, link: str, **values) -> None:
    """A message to ``user`` about ``partner``, in the user's language (the partner named in
    it where it has a name in that language)."""
    values["partner"] = str(partner.name(user.locale))
    queue(
        user,
        "transition",
        in_locale(user, subject, **values),
        link=link,
        opening=in_locale(user, opening, **values),
        comment="",
        show_comment=False,
    )


def _page(partner: Partner) -> str:
    return absolute_url("partners.show", partner_id=partner.id)


# -- applying ----------------------------------------------------------------------------------


def apply(user: User, profile: dict[str, Any]) -> Partner:
    """The user applies for an organisation, which awaits the secretariat's verification;
    the user becomes its focal point."""
    partner = Partner(**profile)
    create(partner, user)
    db.session.add(PartnerMember(partner=partner, user=user, role="focal"))
    db.session.flush()
    forget_roles()
    return partner


def notify_application(partner: Partner, user: User, *, new_account: bool) -> None:
    """Tell those who verify partners that one waits; ask a new account to confirm its
    address."""
    if new_account:
        _tell(
            user,
            partner,
            _l("Confirm your e-mail address"),
            _l(
                "Thank you for applying for %(partner)s to become a campaign partner. Please "
                "confirm that this is your e-mail address: open the link below."
            ),
            absolute_url("accounts.confirm_email", token=make_token(user, "confirm")),
        )
    for officer in users_with_permission("verify", partner):
        _tell(
            officer,
            partner,
            _l("A partner awaits verification: %(partner)s"),
            _l(
                "%(name)s applied for %(partner)s to become a campaign partner. It awaits your "
                "verification."
            ),
            _page(partner),
            name=user.name,
        )


# -- the profile -------------------------------------------------------------------------------


def update_profile(partner: Partner, profile: dict[str, Any]) -> None:
    for key, value in profile.items():
        setattr(partner, key, value)
    db.session.flush()


# -- members -----------------------------------------------------------------------------------


def member_of(partner: Partner, member_id: int) -> PartnerMember | None:
    return next((m for m in partner.members if m.id == member_id), None)


def add_deputy(partner: Partner, email: str, actor: User, invite_as: str = "") -> PartnerMember:
    """Make the account using ``email`` a deputy of the partner. Someone without an account
    is invited (an account without a password, and an e-mail to choose one) when
    ``invite_as`` names them and the secretariat has verified the partner."""
    user = user_by_email(email)
    if user is not None and any(m.user_id == user.id for m in partner.members):
        raise MemberRefused(_l("%(name)s already acts for this organisation.", name=user.name))
    if user is None and not invite_as:
        raise MemberRefused(
            _l(
                "No account uses this address. To invite the person, give their name too; "
                "they will receive an e-mail to choose a password."
            )
        )
    invited = user is None
    if invited:
        try:
            with db.session.begin_nested():
                user = create_user(email, invite_as, None, locale=actor.locale)
        except sa.exc.IntegrityError:  # taken meanwhile (a double click)
            raise MemberRefused(_l("An account with this e-mail address already exists."))
    member = PartnerMember(partner=partner, user=user, role="deputy")
    db.session.add(member)
    db.session.flush()
    forget_roles()
    if invited:
        notify_invitation(
            user,
            actor,
            _l(
                "a deputy of %(partner)s, a campaign partner",
                partner=str(partner.name(user.locale)),
            ),
        )
    else:
        _tell(
            user,
            partner,
            _l("You now act for %(partner)s"),
            _l("%(name)s added you as a deputy of %(partner)s, a campaign partner."),
            _page(partner),
            name=actor.name,
        )
    return member


def remove_member(partner: Partner, member: PartnerMember) -> None:
    """Remove a deputy; the focal point hands the role over first."""
    if member.role == "focal":
        raise MemberRefused(
            _l("Hand the focal point role to another member before removing this person.")
        )
    partner.members.remove(member)
    db.session.flush()
    forget_roles()


def make_focal_point(partner: Partner, member: PartnerMember, actor: User) -> None:
    """Hand the focal point role to ``member``; the focal point until now becomes a deputy."""
    if member.role == "focal":
        return
    for other in partner.members:
        other.role = "focal" if other is member else "deputy"
    db.session.flush()
    if member.user_id != actor.id:
        _tell(
            member.user,
            partner,
            _l("You are now the campaign focal point of %(partner)s"),
            _l("%(name)s made you the campaign focal point of %(partner)s."),
            _page(partner),
            name=actor.name,
        )
