"""Fixtures for the city journey: a verified city with a focal point, an open Role Model City
call, a draft, a complete draft, and small file limits.

``complete_role_model_answers(nomination, user)`` (from nominations_support, re-exported
here) fills every required input of the Role Model City form, files included.
"""

from __future__ import annotations

import factories
import pytest
from nominations_support import complete_role_model_answers

__all__ = ["complete_role_model_answers"]


@pytest.fixture
def city(app):
    return factories.make_city(name="Makati")


@pytest.fixture
def focal(city):
    """A focal point of the verified city ``city``."""
    return factories.make_focal_point(city=city, name="Focal Point")


@pytest.fixture
def call(app):
    return factories.make_call(title="Role Model Cities 2026")


@pytest.fixture
def draft(call, city, focal):
    """An empty draft of ``city`` to ``call``, started by ``focal``."""
    return factories.make_nomination(call=call, city=city, created_by_id=focal.id)


@pytest.fixture
def complete_draft(draft, focal, db):
    """A draft with every required answer and file, committed: ready to submit."""
    complete_role_model_answers(draft, focal)
    db.session.commit()
    return draft


@pytest.fixture
def small_limits(app, monkeypatch):
    """1 MB a file and 2 MB a nomination, so that limits are reached with small test files."""
    monkeypatch.setitem(app.config, "RECOGNITION_MAX_FILE_MB", 1)
    monkeypatch.setitem(app.config, "RECOGNITION_MAX_NOMINATION_MB", 2)
