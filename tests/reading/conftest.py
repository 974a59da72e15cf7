"""Fixtures for the reading tests: a Role Model City nomination under review with evidence
of every kind, its city's focal point, an assigned reviewer, and those who may not read it."""

from __future__ import annotations

from types import SimpleNamespace

import factories
import pytest
from reading_support import DAMAGED_PDF, add_file, locked_pdf, png_image, text_pdf


@pytest.fixture
def world(db):
    """Committed: ``nomination`` (under review) of Lyon, written by ``focal``; ``reviewer``
    (accepted assignment), ``unassigned`` (a reviewer without one), ``stranger`` (the focal
    point of another city), ``officer``. Evidence: ``motivation`` (a 3-page PDF),
    ``recommendation`` (a 2-page PDF), ``image`` (PNG), ``damaged`` and ``locked`` PDFs."""
    call = factories.make_call(state="reviewing")
    focal = factories.make_user(name="Focal Person", email="focal@lyon.example")
    city = factories.make_city(name="Lyon", country="FR", members=[focal])
    nomination = factories.make_nomination(
        call=call,
        city=city,
        state="under_review",
        answers={"motivation": "We plan ahead with our neighbourhoods.", "population": "513000"},
    )
    files = SimpleNamespace(
        motivation=add_file(
            nomination,
            "motivation_letter",
            text_pdf("Motivation page one", "Motivation page two", "Motivation page three"),
            "motivation.pdf",
            focal,
        ),
        recommendation=add_file(
            nomination,
            "recommendation_letter",
            text_pdf("Recommendation first", "Recommendation last"),
            "recommendation.pdf",
            focal,
        ),
        image=add_file(nomination, "other_evidence", png_image(), "flood-map.png", focal),
        damaged=add_file(nomination, "other_evidence", DAMAGED_PDF, "damaged.pdf", focal),
        locked=add_file(
            nomination, "other_evidence", locked_pdf("Locked away"), "locked.pdf", focal
        ),
    )
    reviewer = factories.make_reviewer(name="Wanjiru Reviewer", country="KE")
    assignment = factories.make_assignment(nomination, reviewer, state="accepted")
    unassigned = factories.make_reviewer(name="Not Assigned", country="JP")
    stranger = factories.make_focal_point(name="Other City", email="focal@other.example")
    officer = factories.make_secretariat()
    db.session.commit()
    return SimpleNamespace(
        call=call,
        city=city,
        focal=focal,
        nomination=nomination,
        files=files,
        reviewer=reviewer,
        assignment=assignment,
        unassigned=unassigned,
        stranger=stranger,
        officer=officer,
    )
