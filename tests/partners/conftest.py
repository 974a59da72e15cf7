"""Fixtures for the partner tests: a secretariat officer and a verified partner with its
focal point and a deputy."""

from __future__ import annotations

from types import SimpleNamespace

import factories
import pytest


@pytest.fixture
def officer(db):
    user = factories.make_secretariat(email="officer@example.org")
    db.session.commit()
    return user


@pytest.fixture
def alliance(db):
    """A verified partner named in English and French: its focal point, a deputy, and an
    outsider who acts for no partner (committed)."""
    focal = factories.make_user(email="focal@alliance.example.org", name="Claire Focal")
    deputy = factories.make_user(email="deputy@alliance.example.org", name="Kwame Deputy")
    outsider = factories.make_user(email="someone@example.org", name="Someone Else")
    partner = factories.make_partner(
        "Global Alliance",
        members=[focal, deputy],
        country=None,
        essentials=[1, 9],
        offer={"en": "Training for neighbourhood volunteers."},
    )
    partner.names = {"en": "Global Alliance", "fr": "Alliance mondiale"}
    db.session.commit()
    return SimpleNamespace(partner=partner, focal=focal, deputy=deputy, outsider=outsider)
