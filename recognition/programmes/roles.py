"""Local roles on calls: ``focal_point`` acts for a verified city and may nominate."""

import sqlalchemy as sa

from ..accounts.models import City, Membership
from ..partners.models import Partner, PartnerMember
from ..workflow.registry import bind_model, tagged
from ..workflow.security import id_list, ids, local_role, reader, reader_fact
from .models import Call

# Named in the current language, with the source language as fallback.
bind_model(Call, page="programmes.call", arg="call_id", title=lambda call: str(call.text("title")))


reader_fact(
    "verified_city_ids",
    lambda user_id: id_list(
        Membership.city_id,
        Membership.user_id == user_id,
        Membership.city_id.in_(sa.select(City.id).where(tagged(City, "approved"))),
    ),
    ids,
)
reader_fact(
    "verified_partner_ids",
    lambda user_id: id_list(
        PartnerMember.partner_id,
        PartnerMember.user_id == user_id,
        PartnerMember.partner_id.in_(sa.select(Partner.id).where(tagged(Partner, "partnering"))),
    ),
    ids,
)


def verified_city_ids(user) -> frozenset[int]:
    """Ids of the verified cities the user acts for (read with the user)."""
    return reader("verified_city_ids", user)


@local_role("focal_point", "call")
def is_focal_point(user, call) -> bool:
    """The user acts for a verified city."""
    return bool(verified_city_ids(user))


def verified_partner_ids(user) -> frozenset[int]:
    """Ids of the verified partners the user acts for (read with the user)."""
    return reader("verified_partner_ids", user)


@local_role("nominator", "call")
def is_nominator(user, call) -> bool:
    """The user may nominate to the call, as its programme allows (``nomination.nominators``):
    for a verified city, for a verified partner, or as anyone with a confirmed account."""
    nominators = call.programme.nominating.nominators
    if "self" in nominators and verified_city_ids(user):
        return True
    if "partner" in nominators and verified_partner_ids(user):
        return True
    return "registered" in nominators and user.email_confirmed_at is not None
