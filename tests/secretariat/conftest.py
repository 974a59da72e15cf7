"""Fixtures for the secretariat tests: an officer signed in, a call with a city."""

from __future__ import annotations

from types import SimpleNamespace

import factories
import pytest


@pytest.fixture
def officer(db):
    """A secretariat officer (committed)."""
    user = factories.make_secretariat(email="officer@secretariat.example")
    db.session.commit()
    return user


@pytest.fixture
def as_officer(officer, login_as):
    """The test client, signed in as the secretariat officer."""
    return login_as(officer)


@pytest.fixture
def world(db, officer):
    """A Role Model City call under review; Lyon (France) with a focal point and a
    nomination under review (committed)."""
    call = factories.make_call(state="reviewing", title="Role Model City 2026")
    focal = factories.make_user(name="Focal Person", email="focal@lyon.example")
    city = factories.make_city(name="Lyon", country="FR", members=[focal])
    nomination = factories.make_nomination(call=call, city=city, state="under_review")
    db.session.commit()
    return SimpleNamespace(call=call, city=city, focal=focal, nomination=nomination)
