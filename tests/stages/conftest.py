"""Fixtures for the city stage tests: a secretariat officer, a verified city with its focal
point, another city with its own, and someone who acts for no city."""

from __future__ import annotations

from types import SimpleNamespace

import factories
import pytest


@pytest.fixture
def people(db):
    """Quito (verified) and its focal point, Lyon and its focal point, an officer and an
    outsider (committed)."""
    officer = factories.make_secretariat(email="officer@example.org")
    focal = factories.make_user(email="focal@quito.example.org", name="Mateo Andrade")
    other = factories.make_user(email="focal@lyon.example.org", name="Claire Lyon")
    outsider = factories.make_user(email="someone@example.org", name="Someone Else")
    city = factories.make_city("Quito", "EC", members=[focal])
    other_city = factories.make_city("Lyon", "FR", members=[other])
    db.session.commit()
    return SimpleNamespace(
        officer=officer,
        focal=focal,
        other=other,
        outsider=outsider,
        city=city,
        other_city=other_city,
    )
