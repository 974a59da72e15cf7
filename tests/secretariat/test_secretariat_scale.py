"""At scale: ``flask recognition demo --scale N`` and list pages whose number of SQL queries
does not grow with the number of nominations."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from secretariat_support import count_queries

from recognition.accounts.models import User
from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.programmes.models import Call
from recognition.review.models import Assignment
from recognition.scale import load_scale
from recognition.timeutil import utcnow
from recognition.workflow.worklists import forget_counts

SMALL, LARGE = 20, 2000


def announce_all(call: Call, officer_id: int) -> None:
    """Turn every nomination of a synthetic call into an announced recognition."""
    now = utcnow()
    _db.session.execute(
        sa.update(Nomination)
        .where(Nomination.call_id == call.id)
        .values(state="announced", decided_by_id=officer_id, decided_at=now, announced_at=now,
                areas_of_strength=[1, 2, 3, 4, 5], submitted_at=now)
    )  # fmt: skip
    call.state, call.announced_at, call.announcement = "announced", now, {"en": "Well done"}
    _db.session.commit()


def queries(client, path: str) -> int:
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter[0]


def measure(client, officer, path: str, public: bool = False) -> list[int]:
    """The page's query count for a call of SMALL nominations, then one of LARGE, each
    without what the process kept of earlier reads (loading a call reads some of them)."""
    counts = []
    for n in (SMALL, LARGE):
        call = load_scale(n)
        if public:
            announce_all(call, officer.id)
        forget_counts()
        counts.append(queries(client, path.format(call=call.id)))
    return counts


@pytest.mark.parametrize(
    "path",
    [
        "/secretariat/calls/{call}/dashboard",
        "/secretariat/calls/{call}/ranking",
        "/secretariat/worklists/nomination/awaiting_screening",
        "/secretariat/",
    ],
)
def test_secretariat_pages_cost_the_same_at_any_size(as_officer, officer, path):
    small, large = measure(as_officer, officer, path)
    assert small == large


def test_public_list_costs_the_same_at_any_size(client, officer):
    small, large = measure(client, officer, "/recognised", public=True)
    assert small == large


def test_scale_loads_the_campaign(db):
    call = load_scale(200)
    nominations = db.session.scalar(
        sa.select(sa.func.count()).select_from(Nomination).where(Nomination.call_id == call.id)
    )
    reviewers = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Assignment.reviewer_id)))
        .join(Nomination)
        .where(Nomination.call_id == call.id)
    )
    per_nomination = set(
        db.session.scalars(
            sa.select(sa.func.count())
            .select_from(Assignment)
            .join(Nomination)
            .where(Nomination.call_id == call.id)
            .group_by(Assignment.nomination_id)
        )
    )
    assert nominations == 200
    assert reviewers == 10
    assert per_nomination == {3}


def test_scale_pages_are_paginated(app, as_officer, monkeypatch):
    call = load_scale(60)
    html = as_officer.get(f"/secretariat/calls/{call.id}/ranking").get_data(as_text=True)
    assert html.count('<a href="/nominations/') == app.config["RECOGNITION_PAGE_SIZE"]


def test_demo_command_loads_the_scale_campaign(db, runner):
    result = runner.invoke(args=["recognition", "demo", "--scale", "40"])
    assert result.exit_code == 0, result.output
    [call] = db.session.scalars(sa.select(Call).where(Call.title.like("Synthetic%"))).all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Nomination).where(Nomination.call_id == call.id)
        )
        == 40
    )


def test_scale_reviewers_cannot_sign_in_by_default(db):
    load_scale(20)
    reviewer = db.session.scalars(sa.select(User).where(User.email.like("synthetic.%"))).first()
    assert reviewer.password_hash in (None, "")


def test_scale_loads_twice(db):
    first, second = load_scale(20), load_scale(20)
    assert first.id != second.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nomination)) == 40
