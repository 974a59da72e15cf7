"""Fixtures for the review tests: a call under review with one nomination and a reviewer."""

from __future__ import annotations

from types import SimpleNamespace

import factories
import pytest


@pytest.fixture
def world(db):
    """A Role Model City call, a French city with a focal point, its nomination under review,
    a secretariat officer and a Kenyan reviewer with an accepted assignment (committed)."""
    call = factories.make_call(state="reviewing")
    focal = factories.make_user(name="Focal Person", email="focal@city.example")
    city = factories.make_city(name="Lyon", country="FR", members=[focal])
    nomination = factories.make_nomination(
        call=call, city=city, state="under_review", answers={"motivation": "We plan ahead."}
    )
    officer = factories.make_secretariat()
    reviewer = factories.make_reviewer(
        name="Wanjiru Reviewer", email="wanjiru@reviewers.example", country="KE"
    )
    assignment = factories.make_assignment(nomination, reviewer, state="accepted")
    db.session.commit()
    return SimpleNamespace(
        call=call,
        city=nomination.city,
        focal=focal,
        nomination=nomination,
        officer=officer,
        reviewer=reviewer,
        assignment=assignment,
    )
