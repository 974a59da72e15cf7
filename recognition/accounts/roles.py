"""Local roles on cities: ``member`` is a focal point of the city."""

import sqlalchemy as sa

from ..workflow.registry import bind_model
from ..workflow.security import local_role
from .models import City, Membership, User
from .operations import city_ids_of

bind_model(City)


def _member_clause(user):
    return City.id.in_(sa.select(Membership.city_id).where(Membership.user_id == user.id))


def _members(city):
    return sa.select(User).join(Membership).where(Membership.city_id == city.id, User.active)


@local_role("member", "city", clause=_member_clause, users=_members)
def is_member(user, city) -> bool:
    """The user acts for this city."""
    return city.id in city_ids_of(user)
