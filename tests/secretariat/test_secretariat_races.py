"""Decisions racing each other on PostgreSQL, through the pages, with real threads: quotas
never exceeded, one winner among conflicting decisions, no 500, and a bulk decision that
meets a single one completes every other item."""

from __future__ import annotations

from collections import Counter

import factories
import pytest
import sqlalchemy as sa
from races import race, signed_in
from secretariat_support import submit_review
from sqlalchemy.orm import Session

from recognition.audit.records import verify
from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.workflow.history import WorkflowEvent

pytestmark = pytest.mark.postgres_only

STRONG = {f"essential_{i}": 5 for i in range(1, 11)}
FIVE = ["1", "2", "3", "4", "5"]


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers")


def _in_database(stmt):
    with Session(db.engine) as session:
        return session.execute(stmt).all()


def _decisions(nomination_ids) -> Counter:
    """Decision events per nomination, as the database holds them."""
    rows = _in_database(
        sa.select(WorkflowEvent.object_id).where(
            WorkflowEvent.object_type == "nomination",
            WorkflowEvent.transition.in_(("recognise", "not_recognise")),
            WorkflowEvent.object_id.in_(list(nomination_ids)),
        )
    )
    return Counter(object_id for (object_id,) in rows)


def _award(db, count: int, laureates_max: int | None):
    call = factories.make_call(
        programme_id="sasakawa_award", state="reviewing", laureates_max=laureates_max
    )
    nominations = []
    for n in range(count):
        city = factories.make_city(name=f"Nominee {n}")
        nomination = factories.make_nomination(call=call, city=city, state="under_review")
        submit_review(nomination, 8)
        nominations.append(nomination)
    officers = [factories.make_secretariat() for _ in range(count)]
    db.session.commit()
    return call, nominations, officers


@pytest.mark.parametrize(("limit", "officers"), [(1, 2), (1, 5), (2, 3), (2, 6)])
def test_concurrent_laureate_decisions_never_exceed_the_quota(app, db, limit, officers):
    call, nominations, people = _award(db, officers, laureates_max=limit if limit != 1 else None)
    clients = [signed_in(app, officer) for officer in people]
    requests = [
        (
            lambda client=client, nomination=nomination: client.post(
                f"/secretariat/nominations/{nomination.id}/decide",
                data={"outcome": "recognise", "level": "laureate", "version": 1},
            )
        )
        for client, nomination in zip(clients, nominations, strict=True)
    ]
    responses = race(app, requests)

    assert [r.status_code for r in responses] == [302] * officers  # refused ones: a message
    laureates = _in_database(
        sa.select(Nomination.id).where(
            Nomination.call_id == call.id,
            Nomination.award_level == "laureate",
            Nomination.state == "recognised",
        )
    )
    assert len(laureates) == limit
    assert sum(_decisions(n.id for n in nominations).values()) == limit


def test_twenty_conflicting_decisions_have_one_winner_and_no_error(app, db, world):
    submit_review(world.nomination, STRONG)
    officers = [factories.make_secretariat() for _ in range(20)]
    db.session.commit()
    version = db.session.get(Nomination, world.nomination.id).version
    url = f"/secretariat/nominations/{world.nomination.id}/decide"
    requests = []
    for index, officer in enumerate(officers):
        data = {"version": version, "comment": f"Officer {index}"}
        if index % 2:
            data.update(outcome="recognise", areas=FIVE)
        else:
            data.update(outcome="not_recognise")
        client = signed_in(app, officer)
        requests.append(lambda client=client, data=data: client.post(url, data=data))

    responses = race(app, requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {302: 1, 409: 19}
    for response in responses:
        if response.status_code == 409:
            assert "changed by someone else" in response.get_data(as_text=True)
    assert _decisions([world.nomination.id]) == {world.nomination.id: 1}
    assert verify().problems == []  # the losers linked nothing to the history's chains


def test_a_bulk_decision_racing_a_single_one_completes_every_other_item(app, db, world):
    nominations = []
    for n in range(20):
        city = factories.make_city(name=f"Bulk City {n}")
        nomination = factories.make_nomination(call=world.call, city=city, state="under_review")
        submit_review(nomination, STRONG)
        nominations.append(nomination)
    bulk_officer, single_officer = factories.make_secretariat(), factories.make_secretariat()
    db.session.commit()
    target = nominations[10]
    ids = [n.id for n in nominations]
    bulk_client = signed_in(app, bulk_officer)
    single_client = signed_in(app, single_officer)

    bulk, single = race(
        app,
        [
            lambda: bulk_client.post(
                "/secretariat/bulk/not_recognise", data={"ids": ids, "comment": "Next cycle."}
            ),
            lambda: single_client.post(
                f"/secretariat/nominations/{target.id}/decide",
                data={"outcome": "recognise", "areas": FIVE, "version": 1},
            ),
        ],
    )

    assert bulk.status_code == 200
    assert single.status_code in (302, 409)
    decided = _decisions(ids)
    assert decided == dict.fromkeys(ids, 1)  # every item decided once, none twice
    states = dict(
        _in_database(sa.select(Nomination.id, Nomination.state).where(Nomination.id.in_(ids)))
    )
    others = [i for i in ids if i != target.id]
    assert {states[i] for i in others} == {"not_recognised"}
    page = bulk.get_data(as_text=True)
    if single.status_code == 302:  # the single decision won: the bulk reports that item
        assert states[target.id] == "recognised"
        assert "changed by someone else" in page or "not possible while" in page
    else:
        assert states[target.id] == "not_recognised"
    assert verify().problems == []
