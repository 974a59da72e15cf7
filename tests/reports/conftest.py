"""Fixtures for annual reports: a programme that asks for them, recognitions of a city in
Pacific/Auckland and of one in America/Lima, their focal points, the secretariat."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from types import SimpleNamespace

import factories
import pytest
from reports_support import REPORTING, open_at, recognition, reports

from recognition.programmes.definition import Lifetime


@pytest.fixture
def programmes(app, monkeypatch):
    """``reporting_test`` (three years, annual reports) beside the shipped programmes; the
    Role Model City made not to ask for reports whatever its file says."""
    programmes = dict(app.extensions["programmes"])
    rmc = programmes["role_model_city"]
    programmes["role_model_city"] = dataclasses.replace(
        rmc, lifetime=Lifetime(years=3, annual_report=False)
    )
    programmes[REPORTING] = dataclasses.replace(
        rmc, id=REPORTING, title="Resilience Hub", lifetime=Lifetime(years=3, annual_report=True)
    )
    monkeypatch.setitem(app.extensions, "programmes", programmes)
    return programmes


@pytest.fixture
def world(db, programmes):
    """Committed: ``auckland`` (two focal points, one reading French) and ``lima`` (one),
    each recognised from 15 March 2027; ``officer``; ``reviewer``; ``stranger``, the focal
    point of a third city."""
    aroha = factories.make_user(name="Aroha Ngata", email="aroha@auckland.example")
    claire = factories.make_user(name="Claire Dubois", email="claire@auckland.example", locale="fr")
    auckland = factories.make_city(
        "Auckland", country="NZ", timezone="Pacific/Auckland", members=[aroha, claire]
    )
    rosa = factories.make_user(name="Rosa Quispe", email="rosa@lima.example", locale="en")
    lima = factories.make_city("Lima", country="PE", timezone="America/Lima", members=[rosa])
    stranger = factories.make_focal_point(email="focal@elsewhere.example")
    world = SimpleNamespace(
        aroha=aroha,
        claire=claire,
        auckland=auckland,
        rosa=rosa,
        lima=lima,
        auckland_hub=recognition(auckland),
        lima_hub=recognition(lima),
        officer=factories.make_secretariat(email="officer@example.org"),
        reviewer=factories.make_reviewer(email="reviewer@example.org"),
        stranger=stranger,
    )
    db.session.commit()
    return world


@pytest.fixture
def opened(world):
    """The reports on year 1 of both recognitions, opened (committed): ``lima``,
    ``auckland``."""
    open_at(datetime(2028, 6, 1))
    return SimpleNamespace(
        lima=reports(nomination_id=world.lima_hub.id)[0],
        auckland=reports(nomination_id=world.auckland_hub.id)[0],
    )
