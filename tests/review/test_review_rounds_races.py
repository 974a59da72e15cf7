"""Officers taking nominations to the jury at the same moment, on PostgreSQL with real
threads: the round's places are never exceeded and nobody sees an error."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from races import race, signed_in
from sqlalchemy.orm import Session

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.workflow.engine import fire

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers")


@pytest.mark.parametrize(("already", "officers"), [(2, 2), (2, 5), (0, 6)])
def test_concurrent_shortlisting_never_exceeds_the_jurys_places(app, db, already, officers):
    call = factories.make_call(programme_id="sasakawa_award", state="reviewing")
    longlisted = [
        factories.make_nomination(
            call=call, city=factories.make_city(name=f"Nominee {n}"), state="longlisted"
        )
        for n in range(already + officers)
    ]
    officer = factories.make_secretariat()
    for nomination in longlisted[:already]:
        fire(nomination, "shortlist", officer)
    people = [factories.make_secretariat() for _ in range(officers)]
    db.session.commit()
    clients = [signed_in(app, person) for person in people]
    requests = [
        (
            lambda client=client, nomination=nomination: client.post(
                "/secretariat/bulk/shortlist", data={"ids": [nomination.id]}
            )
        )
        for client, nomination in zip(clients, longlisted[already:], strict=True)
    ]
    responses = race(app, requests)

    assert [r.status_code for r in responses] == [200] * officers
    with Session(db.engine) as session:
        shortlisted = session.scalars(
            sa.select(Nomination.id).where(
                Nomination.call_id == call.id, Nomination.state == "shortlisted"
            )
        ).all()
    assert len(shortlisted) == 3
