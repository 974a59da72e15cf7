"""Demo data: a Resilience Hub whose three years end within 90 days (its reminders due, the
way to renew it on its page). Loading twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import City, User
from ..extensions import db
from ..nominations.models import Nomination
from ..nominees.models import nominee_for_city
from ..programmes.models import Call
from ..programmes.operations import apply_texts
from ..timeutil import clock_at, utcnow
from ..workflow.engine import fire
from ..workflow.history import history_rows, insert_history
from ..workflow.registry import definition_for
from .operations import move_on, queue_expiry_reminders

PROGRAMME = "resilience_hub"
CITY = "Makati"
CYCLE = "2024"
#: How long before now the hub was announced: its end falls 60 days from now.
AGO = timedelta(days=3 * 365 - 60)
CALL_PATH = ("open", "close", "start_review", "close_review", "announce")
NOMINATION_PATH = ("submit", "accept", "recognise")
TEXTS = {
    "en": {"title": "Resilience Hubs 2024", "theme": "Cities that implement and share"},
    "fr": {"title": "Pôles de résilience 2024", "theme": "Des villes qui agissent et partagent"},
    "es": {"title": "Centros de resiliencia 2024", "theme": "Ciudades que actúan y comparten"},
}
ANSWERS = {
    "resilience_summary": (
        "Makati runs a city-wide early-warning network and a disaster risk reduction office "
        "that trains barangay volunteers; it hosts study visits for cities of the region."
    ),
}


def _history(model, oid: int, path: tuple[str, ...], at, actor_id) -> None:
    rows = history_rows(definition_for(model), oid, path, actor_id, at)
    insert_history(rows)


def load_demo_hub(officer: User | None) -> Nomination | None:
    """Makati, a Resilience Hub since almost three years (once)."""
    programme = current_app.extensions["programmes"].get(PROGRAMME)
    city = db.session.scalar(sa.select(City).where(City.name == CITY))
    if programme is None or city is None or officer is None:
        return None
    if db.session.scalar(
        sa.select(Call.id).where(Call.programme_id == PROGRAMME, Call.cycle == CYCLE).limit(1)
    ):
        return None
    announced = utcnow().replace(minute=0, second=0, microsecond=0) - AGO
    call = Call(
        programme_id=PROGRAMME,
        cycle=CYCLE,
        opens_at=announced - timedelta(days=200),
        closes_at=announced - timedelta(days=110),
        review_deadline=announced - timedelta(days=30),
        announcement_at=announced,
        announced_at=announced,
        announcement={"en": "The first Resilience Hubs share their practice with other cities."},
        state=definition_for(Call).walk(CALL_PATH[:-1]),
    )
    apply_texts(call, "en", TEXTS)
    db.session.add(call)
    db.session.flush()
    nomination = Nomination(
        call=call,
        nominee=nominee_for_city(city),
        city=city,
        language="en",
        answers=dict(ANSWERS),
        state=definition_for(Nomination).walk(NOMINATION_PATH),
        submitted_at=announced - timedelta(days=120),
        decided_at=announced - timedelta(days=20),
        decided_by_id=officer.id,
        award_level="hub",
        created_by_id=city.memberships[0].user_id if city.memberships else None,
    )
    db.session.add(nomination)
    db.session.flush()
    _history(Nomination, nomination.id, NOMINATION_PATH, announced - timedelta(days=20), officer.id)
    # The announcement, through the engine on its day: the recognition's dates, its code.
    with clock_at(announced):
        fire(call, "announce", officer, "Demo data: announced almost three years ago.")
    move_on()  # within 90 days of its end: expiring
    queue_expiry_reminders()  # the 90-day reminder, in the mailbox
    return nomination
