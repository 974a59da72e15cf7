"""Fixtures for the record's integrity: an announced call whose decisions, reviews and
announcement were all made through the engine, so that every row is chained."""

from __future__ import annotations

from types import SimpleNamespace

import factories
import pytest
from audit_support import review

from recognition.extensions import db as _db
from recognition.workflow.engine import fire


@pytest.fixture
def announced(db):
    """A Role Model City call announced: Lyon recognised (five areas of strength) and Riga
    not, each with two reviews; every transition fired through the engine."""
    officer = factories.make_secretariat(email="officer@secretariat.example")
    call = factories.make_call(state="reviewing", title="Award 2026")
    reviewers = [factories.make_reviewer(email=f"r{i}@example.org") for i in (1, 2)]
    found = {}
    for name, outcome in (("Lyon", "recognise"), ("Riga", "not_recognise")):
        focal = factories.make_user(email=f"focal@{name.lower()}.example")
        city = factories.make_city(name=name, members=[focal])
        nomination = factories.make_nomination(call=call, city=city, state="under_review")
        _db.session.flush()
        score = 5 if outcome == "recognise" else 2
        values = {c.id: score for c in nomination.programme.rubric.criteria}
        for i, reviewer in enumerate(reviewers):
            review(nomination, reviewer, values, comment=f"{name} {i}")
        data = {"areas": [1, 2, 3, 4, 5]} if outcome == "recognise" else {}
        fire(nomination, outcome, officer, f"{name}: decided.", data=data)
        found[name] = nomination
    fire(call, "close_review", officer)
    call.announcement = {"en": "Congratulations"}
    _db.session.flush()
    fire(call, "announce", officer)
    db.session.commit()
    return SimpleNamespace(call=call, officer=officer, nominations=found, reviewers=reviewers)
