"""Fixtures for the register of past laureates: an officer, an open Sasakawa Award call and a
submitted nomination of an organisation, Almaty City Hall (Kazakhstan)."""

from __future__ import annotations

import factories
import pytest
from nominees_support import org_nomination, organisation

from recognition.timeutil import utcnow


@pytest.fixture
def officer(db):
    """A secretariat officer (committed)."""
    user = factories.make_secretariat(email="officer@secretariat.example")
    db.session.commit()
    return user


@pytest.fixture
def as_officer(officer, login_as):
    return login_as(officer)


@pytest.fixture
def award_call(db):
    """An open call of the UN Sasakawa Award."""
    return factories.make_call(programme_id="sasakawa_award", cycle="2027", title="Award 2027")


@pytest.fixture
def nominator(db):
    """A registered user with a confirmed e-mail address: may nominate to the award."""
    return factories.make_user(name="Nominator", email_confirmed_at=utcnow())


@pytest.fixture
def submitted(db, award_call, nominator):
    """A complete nomination of Almaty City Hall (KZ) waiting for screening (committed)."""
    nominee = organisation("Almaty City Hall", "KZ")
    nomination = org_nomination(nominee, call=award_call, created_by_id=nominator.id)
    db.session.commit()
    return nomination
