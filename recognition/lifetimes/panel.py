"""A recognition's dates on its nomination's page, and the way to renew it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_login import current_user

from ..extensions import db
from ..nominations.models import Nomination
from ..panels import panel
from ..programmes.models import Call
from ..workflow.registry import has_tag, tagged
from ..workflow.security import can
from .dates import days_left, timezone_of


def renewal_call(nomination: Nomination) -> Call | None:
    """A call of the programme now taking nominations, where the renewal can be made."""
    return db.session.scalar(
        sa.select(Call)
        .where(
            Call.programme_id == nomination.call.programme_id,
            Call.id != nomination.call_id,
            tagged(Call, "accepting"),
        )
        .order_by(Call.closes_at)
        .limit(1)
    )


@panel("nominations.show", "lifetimes/_panel.html", order=5)
def lifetime_panel(nomination: Nomination) -> dict[str, Any]:
    """Valid from and until (the city's calendar) for a recognition with a lifetime; for
    its authors, the renewal's start when it is current or expired."""
    if nomination.valid_from is None or not (
        has_tag(nomination, "current") or has_tag(nomination, "past")
    ):
        return {"lifetime": None}
    renew_url = None
    if nomination.valid_until is not None and can(current_user, "start_renewal", nomination):
        call = renewal_call(nomination)
        if call is not None and can(current_user, "nominate", call):
            renew_url = url_for("nominations.begin", call_id=call.id, **{"from": nomination.id})
    return {
        "lifetime": {
            "valid_from": nomination.valid_from,
            "valid_until": nomination.valid_until,
            "days_left": days_left(nomination),
            "timezone": timezone_of(nomination),
            "renew_url": renew_url,
        }
    }
