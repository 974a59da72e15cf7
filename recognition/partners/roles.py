"""Local roles on partners: ``member`` is the partner's focal point or one of its deputies."""

import sqlalchemy as sa

from ..accounts.models import User
from ..workflow.registry import bind_model
from ..workflow.security import local_role
from .models import Partner, PartnerMember, partner_ids_of

bind_model(Partner, page="partners.show", arg="partner_id", title=lambda p: str(p.name()))


@local_role(
    "member",
    "partner",
    clause=lambda user: Partner.id.in_(
        sa.select(PartnerMember.partner_id).where(PartnerMember.user_id == user.id)
    ),
    users=lambda partner: (
        sa.select(User)
        .join(PartnerMember, PartnerMember.user_id == User.id)
        .where(PartnerMember.partner_id == partner.id, User.active)
        .order_by(User.id)
    ),
)
def is_member(user, partner) -> bool:
    """The user acts for the partner (its focal point or a deputy)."""
    return partner.id in partner_ids_of(user)
