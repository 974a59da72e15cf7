"""Before it forks its workers, the server serves the secretariat's pages of the largest
calls as an officer who manages them: a worker starts with their statements compiled and
what they read kept, so its first view of a call's ranking costs what a later one does."""

from __future__ import annotations

import factories
import pytest
from flask import request, request_finished
from flask_login import current_user
from secretariat_support import recorded_statements, submit_review

from recognition import web
from recognition.secretariat import views

#: The ranking's count of the rows it pages, read once while nothing is written.
RANKING_COUNT = "count(anon_1.sort_value)"


@pytest.fixture
def calls(db, officer):
    """Three calls under review with 3, 2 and 1 nominations, all scored; and a draft in the
    smallest, which does not make it larger."""
    made = []
    for size in (3, 2, 1):
        call = factories.make_call(state="reviewing")
        call.first = None
        for _ in range(size):
            nomination = factories.make_nomination(call=call, state="under_review")
            submit_review(nomination, 4)
            call.first = call.first or nomination.id
        made.append(call)
    factories.make_nomination(call=made[2], state="draft")
    factories.make_nomination(call=made[2], state="draft")
    db.session.commit()
    return made


def served_by(app, monkeypatch) -> list[tuple[str, str | None, int]]:
    """warm_up's requests: (path, who was signed in, status)."""
    monkeypatch.setattr(web, "WARM_PAGES", ("/",))
    served = []

    def note(sender, response, **extra):
        who = current_user.email if current_user.is_authenticated else None
        served.append((request.path, who, response.status_code))

    with request_finished.connected_to(note, app):
        web.warm_up(app)
    return served


def test_the_largest_calls_pages_are_served_as_an_officer_before_the_workers_fork(
    app, officer, calls, monkeypatch
):
    served = served_by(app, monkeypatch)
    signed_in = [(path, status) for path, who, status in served if who == officer.email]
    largest, second, smallest = calls
    assert signed_in == [
        ("/", 200),
        ("/secretariat/", 200),
        *[
            (path, 200)
            for call in (largest, second)
            for path in (
                f"/secretariat/calls/{call.id}/dashboard",
                f"/secretariat/calls/{call.id}/ranking",
                f"/nominations/{call.first}",
            )
        ],
    ]
    assert not any(f"/calls/{smallest.id}/" in path for path, _who, _status in served)


def test_a_worker_s_first_ranking_reads_what_the_master_kept(
    app, officer, calls, login_as, monkeypatch
):
    served_by(app, monkeypatch)
    client = login_as(officer)
    with recorded_statements() as sent:
        assert client.get(f"/secretariat/calls/{calls[0].id}/ranking").status_code == 200
    assert not [s for s in sent if RANKING_COUNT in s]
    # A call the master did not serve counts at its first view.
    with recorded_statements() as sent:
        assert client.get(f"/secretariat/calls/{calls[2].id}/ranking").status_code == 200
    assert [s for s in sent if RANKING_COUNT in s]


def test_without_an_officer_to_serve_them_as_the_call_pages_are_left_cold(
    app, calls, monkeypatch, db
):
    for holder in views.users_with_permission("manage", calls[0]):
        holder.active = False
        db.session.delete(holder)  # no one manages the calls
    db.session.commit()
    served = served_by(app, monkeypatch)
    assert {(path, who) for path, who, _status in served} == {("/", None)}  # public only
