"""Local roles on calls: ``focal_point`` acts for a verified city and may nominate."""

import sqlalchemy as sa
from flask import g, has_request_context

from ..accounts.models import City, Membership
from ..extensions import db
from ..partners.models import Partner, PartnerMember
from ..workflow.registry import bind_model, tagged
from ..workflow.security import local_role
from .models import Call

# Named in the current language, with the source language as fallback.
bind_model(Call, page="programmes.call", arg="call_id", title=lambda call: str(call.text("title")))


def verified_city_ids(user) -> set[int]:
    """Ids of the verified cities the user acts for, cached for the request."""
    key = f"_verified_cities_{user.id}"
    if has_request_context() and hasattr(g, key):
        return getattr(g, key)
    ids = set(
        db.session.scalars(
            sa.select(Membership.city_id)
            .join(City)
            .where(Membership.user_id == user.id, tagged(City, "approved"))
        )
    )
    if has_request_context():
        setattr(g, key, ids)
    return ids


@local_role("focal_point", "call")
def is_focal_point(user, call) -> bool:
    """The user acts for a verified city."""
    return bool(verified_city_ids(user))


def verified_partner_ids(user) -> set[int]:
    """Ids of the verified partners the user acts for."""
    return set(
        db.session.scalars(
            sa.select(PartnerMember.partner_id)
            .join(Partner)
            .where(PartnerMember.user_id == user.id, tagged(Partner, "partnering"))
        )
    )


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
