"""Local role on annual reports: ``focal_point``, a member of the recognised city."""

import sqlalchemy as sa

from ..accounts.models import Membership, User
from ..accounts.operations import city_ids_of
from ..i18n import gettext
from ..nominations.models import Nomination
from ..workflow.registry import bind_model
from ..workflow.security import local_role
from .models import AnnualReport

bind_model(
    AnnualReport,
    page="reports.show",
    arg="report_id",
    title=lambda report: gettext(
        "%(city)s — year %(year)d",
        city=str(report.nomination.nominee_name()),
        year=report.year,
    ),
)


def _clause(user):
    return AnnualReport.nomination_id.in_(
        sa.select(Nomination.id).where(
            Nomination.city_id.in_(
                sa.select(Membership.city_id).where(Membership.user_id == user.id)
            )
        )
    )


def _users(report):
    return (
        sa.select(User)
        .join(Membership)
        .where(Membership.city_id == report.nomination.city_id, User.active)
        .order_by(User.id)
    )


@local_role("focal_point", "annual_report", clause=_clause, users=_users)
def is_focal_point(user, report) -> bool:
    """The user acts for the recognised city."""
    city_id = report.nomination.city_id
    return city_id is not None and city_id in city_ids_of(user)
