"""Local role on city stages: ``member``, the city's focal points (as on the city itself)."""

import sqlalchemy as sa

from ..accounts.models import Membership, User
from ..accounts.operations import city_ids_of
from ..workflow.registry import bind_model
from ..workflow.security import local_role
from .models import CityStage

bind_model(CityStage, page="stages.show", arg="stage_id", title=lambda stage: stage.city.name)


def _member_clause(user):
    return CityStage.city_id.in_(sa.select(Membership.city_id).where(Membership.user_id == user.id))


def _members(stage):
    return (
        sa.select(User)
        .join(Membership)
        .where(Membership.city_id == stage.city_id, User.active)
        .order_by(User.id)
    )


@local_role("member", "city_stage", clause=_member_clause, users=_members)
def is_member(user, stage) -> bool:
    """The user acts for the stage's city (one of its focal points)."""
    return stage.city_id in city_ids_of(user)
