"""A received letter of support on a demo nomination, if there is one. Loading twice changes
nothing."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..nominations.models import Nomination
from .models import Letter, letter_fields
from .operations import RefereeDetails, ask, receive

REFEREE = RefereeDetails(
    name="Rania Referee",
    organisation="Regional Resilience Network",
    email="referee@example.org",
    language="ar",
)
TEXT = (
    "The Regional Resilience Network has worked with the city for six years. Its risk maps, "
    "drawn with residents, are now used by four neighbouring towns: we support its nomination."
)


def load_demo_letter() -> Letter | None:
    """Ask the demo referee for a letter on the first demo nomination whose programme asks
    letters, and send it; nothing when there is no such nomination or the letter exists.
    Flushes; the caller commits."""
    existing = db.session.scalar(sa.select(Letter).where(Letter.referee_email == REFEREE.email))
    if existing is not None:
        return existing
    for nomination in db.session.scalars(sa.select(Nomination).order_by(Nomination.id)):
        fields = letter_fields(nomination.programme)
        author = nomination.created_by
        if not fields or author is None:
            continue
        letter, token = ask(nomination, fields[0], REFEREE, author)
        receive(letter, token, TEXT, None)
        db.session.flush()
        return letter
    return None
