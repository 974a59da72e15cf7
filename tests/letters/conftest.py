"""Fixtures for letters of support: a verified city with a focal point, a draft to the Role
Model City (its letters of endorsement are not confidential) and one to the Sasakawa Award
(its letters of support are), the secretariat, reviewers."""

from __future__ import annotations

from types import SimpleNamespace

import factories
import pytest


@pytest.fixture
def world(db):
    """Committed: ``focal`` of ``city``; ``rmc`` and ``sasakawa`` drafts of the city started
    by ``focal``; ``officer``; ``reviewer`` (assigned once a test assigns), ``other_reviewer``;
    ``stranger``, the focal point of another city."""
    focal = factories.make_focal_point(name="Grace Santos", email="focal@makati.example")
    city = focal.memberships[0].city
    city.name = "Makati"
    rmc_call = factories.make_call("role_model_city", title="Role Model Cities 2027")
    sasakawa_call = factories.make_call("sasakawa_award", title="Sasakawa Award 2027")
    rmc = factories.make_nomination(
        rmc_call,
        city,
        created_by_id=focal.id,
        answers={"motivation": "Neighbourhood risk maps drawn with residents."},
    )
    sasakawa = factories.make_nomination(sasakawa_call, city, created_by_id=focal.id)
    officer = factories.make_secretariat(email="officer@example.org")
    reviewer = factories.make_reviewer(name="Amina Reviewer", email="amina@example.org")
    other_reviewer = factories.make_reviewer(name="Lucas Reviewer", email="lucas@example.org")
    stranger = factories.make_focal_point(email="focal@elsewhere.example")
    db.session.commit()
    return SimpleNamespace(
        focal=focal,
        city=city,
        rmc=rmc,
        sasakawa=sasakawa,
        officer=officer,
        reviewer=reviewer,
        other_reviewer=other_reviewer,
        stranger=stranger,
    )
