"""One open call per programme for the demo data."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import User
from ..extensions import db
from ..timeutil import utcnow
from ..workflow.engine import create, fire
from .models import Call

DEMO_CALLS = {
    "role_model_city": (
        "Role Model Cities 2027",
        "2027",
        "Resilient cities sharing their practice",
    ),
    "sasakawa_award": (
        "UN Sasakawa Award 2027",
        "2027",
        "Building resilience through a multi-hazard approach",
    ),
}


def load_demo_calls(officer: User | None = None) -> None:
    """Create and open a call per programme unless one exists already."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for programme_id in current_app.extensions["programmes"]:
        exists = db.session.scalar(
            sa.select(Call.id).where(Call.programme_id == programme_id).limit(1)
        )
        if exists:
            continue
        title, cycle, theme = DEMO_CALLS.get(programme_id, (programme_id, "2027", ""))
        call = Call(
            programme_id=programme_id,
            title=title,
            cycle=cycle,
            theme=theme,
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=90),
            review_deadline=now + timedelta(days=150),
            announcement_at=now + timedelta(days=180),
            announcement={},
        )
        create(call, officer)
        fire(call, "open", officer, "Demo data: opened on loading.")
