"""Local roles on calls: ``focal_point`` acts for a verified city and may nominate."""

import sqlalchemy as sa

from ..accounts.models import City, Membership
from ..extensions import db
from ..workflow.registry import bind_model
from ..workflow.security import local_role
from .models import Call

bind_model(Call)


def verified_city_ids(user) -> set[int]:
    """Ids of the verified cities the user acts for, cached for the request."""
    from flask import g, has_request_context

    key = f"_verified_cities_{user.id}"
    if has_request_context() and hasattr(g, key):
        return getattr(g, key)
    ids = set(
        db.session.scalars(
            sa.select(Membership.city_id)
            .join(City)
            .where(Membership.user_id == user.id, City.state == "verified")
        )
    )
    if has_request_context():
        setattr(g, key, ids)
    return ids


@local_role("focal_point", "call")
def is_focal_point(user, call) -> bool:
    """The user acts for a verified city."""
    return bool(verified_city_ids(user))
