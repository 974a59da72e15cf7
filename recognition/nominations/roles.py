"""Local roles on nominations.

``nominee``: a focal point of the city the nomination names. ``nominator``: who nominated on
the nominee's behalf — the user who started it, and the members of the partner it was started
for. ``owner``: either; the authors of the nomination, who see and edit it together once a
nominated city has accepted.
"""

import sqlalchemy as sa

from ..accounts.models import Membership, User
from ..accounts.operations import city_ids_of
from ..partners.models import PartnerMember, partner_ids_of
from ..workflow.registry import bind_model
from ..workflow.security import local_role
from .models import Nomination

bind_model(
    Nomination,
    page="nominations.show",
    arg="nomination_id",
    # The call named in the current language, with the source language as fallback.
    title=lambda nomination: f"{nomination.nominee_name()} — {nomination.call.text('title')}",
)


def _nominee_clause(user):
    return Nomination.city_id.in_(
        sa.select(Membership.city_id).where(Membership.user_id == user.id)
    )


def _nominee_users(nomination):
    return (
        sa.select(User)
        .join(Membership)
        .where(Membership.city_id == nomination.city_id, User.active)
        .order_by(User.id)
    )


@local_role("nominee", "nomination", clause=_nominee_clause, users=_nominee_users)
def is_nominee(user, nomination) -> bool:
    """The user acts for the nominated city."""
    return nomination.city_id is not None and nomination.city_id in city_ids_of(user)


def _nominator_clause(user):
    return sa.or_(
        Nomination.created_by_id == user.id,
        Nomination.partner_id.in_(
            sa.select(PartnerMember.partner_id).where(PartnerMember.user_id == user.id)
        ),
    )


def _nominator_users(nomination):
    return (
        sa.select(User)
        .where(
            sa.or_(
                User.id == nomination.created_by_id,
                User.id.in_(
                    sa.select(PartnerMember.user_id).where(
                        PartnerMember.partner_id == nomination.partner_id
                    )
                ),
            ),
            User.active,
        )
        .order_by(User.id)
    )


@local_role("nominator", "nomination", clause=_nominator_clause, users=_nominator_users)
def is_nominator(user, nomination) -> bool:
    """The user started the nomination, or acts for the partner that did."""
    if nomination.created_by_id == user.id:
        return True
    return nomination.partner_id is not None and nomination.partner_id in partner_ids_of(user)


def _owner_clause(user):
    return sa.or_(_nominee_clause(user), _nominator_clause(user))


#: SQL condition: the nominations ``user`` is an author of (their city's, theirs, their
#: partner's), for the "Our nominations" list.
authored_by = _owner_clause


def _owners(nomination):
    nominees = _nominee_users(nomination).order_by(None).with_only_columns(User.id)
    nominators = _nominator_users(nomination).order_by(None).with_only_columns(User.id)
    return (
        sa.select(User)
        .where(sa.or_(User.id.in_(nominees), User.id.in_(nominators)))
        .order_by(User.id)
    )


@local_role("owner", "nomination", clause=_owner_clause, users=_owners)
def is_owner(user, nomination) -> bool:
    """The user is one of the nomination's authors: the nominated city's focal point or
    its nominator."""
    return is_nominee(user, nomination) or is_nominator(user, nomination)
