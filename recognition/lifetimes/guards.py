"""Rules of a recognition's life: the workflow's time-driven transitions fire only when
their date has come (the daily command fires them; anyone else is refused before then)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_date

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..nominations.models import Nomination
from ..workflow.guards import guard
from ..workflow.registry import tagged
from .dates import days_left, expiring_window


@guard("recognition_expires_soon", _l("the recognition ends within its reminder period"))
def recognition_expires_soon(nomination, actor, data):
    left = days_left(nomination)
    if left is not None and left <= expiring_window(nomination):
        return None
    return _l("The recognition does not end soon.")


@guard(
    "recognition_has_expired", _l("the recognition's last day has passed, in the city's calendar")
)
def recognition_has_expired(nomination, actor, data):
    left = days_left(nomination)
    if left is not None and left < 0:
        return None
    if nomination.valid_until is None:
        return _l("This recognition does not expire.")
    return _l(
        "The recognition holds until %(date)s.", date=format_date(nomination.valid_until, "long")
    )


@guard("recognition_renewed", _l("a renewal of the recognition is announced"))
def recognition_renewed(nomination, actor, data):
    renewal = db.session.scalar(
        sa.select(Nomination.id)
        .where(Nomination.renews_id == nomination.id, tagged(Nomination, "current"))
        .limit(1)
    )
    return None if renewal else _l("No renewal of this recognition is announced yet.")
