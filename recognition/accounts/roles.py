"""Roles from accounts: ``member`` of a city (its focal points), and who holds global roles."""

import sqlalchemy as sa

from ..workflow.registry import bind_model
from ..workflow.security import global_role_holders, local_role
from .models import City, Membership, User, UserRole
from .operations import city_ids_of

bind_model(City, page="accounts.city", arg="city_id", title=lambda city: city.name)


def _member_clause(user):
    return City.id.in_(sa.select(Membership.city_id).where(Membership.user_id == user.id))


def _members(city):
    return sa.select(User).join(Membership).where(Membership.city_id == city.id, User.active)


def _members_each(city_ids: list[int]):
    return (
        sa.select(User, Membership.city_id)
        .join(Membership)
        .where(Membership.city_id.in_(city_ids), User.active)
        .order_by(Membership.city_id, User.id)
    )


@local_role("member", "city", clause=_member_clause, users=_members, users_each=_members_each)
def is_member(user, city) -> bool:
    """The user acts for this city."""
    return city.id in city_ids_of(user)


@global_role_holders
def holders(role: str):
    """The active users holding a global role, by id."""
    return (
        sa.select(User)
        .join(UserRole)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.id)
    )
