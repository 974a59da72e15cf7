"""Local roles on nominations: ``owner`` is a focal point of the nominating city."""

import sqlalchemy as sa

from ..accounts.models import Membership, User
from ..accounts.operations import city_ids_of
from ..workflow.registry import bind_model
from ..workflow.security import local_role
from .models import Nomination

bind_model(
    Nomination,
    page="nominations.show",
    arg="nomination_id",
    # The call named in the current language, with the source language as fallback.
    title=lambda nomination: f"{nomination.city.name} — {nomination.call.text('title')}",
)


def _owner_clause(user):
    return Nomination.city_id.in_(
        sa.select(Membership.city_id).where(Membership.user_id == user.id)
    )


def _owners(nomination):
    return (
        sa.select(User)
        .join(Membership)
        .where(Membership.city_id == nomination.city_id, User.active)
        .order_by(User.id)
    )


@local_role("owner", "nomination", clause=_owner_clause, users=_owners)
def is_owner(user, nomination) -> bool:
    """The user acts for the nominating city."""
    return nomination.city_id in city_ids_of(user)
