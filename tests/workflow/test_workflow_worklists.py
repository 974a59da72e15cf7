"""Worklists: each user sees the saved queries of their roles, with counts, at a cost in SQL
queries that does not grow with the data."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from database_support import recorded_statements as count_queries
from flask_login import AnonymousUserMixin

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.workflow import worklists
from recognition.workflow.worklists import query, worklists_for


def _counts(user) -> dict[tuple[str, str], int]:
    return {(e.definition.id, e.worklist.id): e.count for e in worklists_for(user)}


def test_the_secretariat_sees_its_worklists_with_counts(rolled_back_app):
    call = factories.make_call()
    for state in ("submitted", "submitted", "submitted", "draft", "returned"):
        factories.make_nomination(call=call, state=state)
    for state in ("under_review", "under_review", "shortlisted", "recognised"):
        factories.make_nomination(call=call, state=state)
    factories.make_city(state="pending")
    officer = factories.make_secretariat()

    assert _counts(officer) == {
        ("nomination", "awaiting_screening"): 3,
        ("nomination", "under_review"): 3,
        ("nomination", "to_announce"): 1,
        ("review", "conflicts"): 0,
        ("call", "open_calls"): 1,
        ("city", "awaiting_verification"): 1,
        ("partner", "partners_to_verify"): 0,
        ("city_stage", "stage_moves_to_confirm"): 0,
        ("annual_report", "reports_overdue"): 0,
        ("annual_report", "reports_to_read"): 0,
    }
    entry = next(e for e in worklists_for(officer) if e.worklist.id == "awaiting_screening")
    assert entry.worklist.title == "Awaiting screening"


def test_a_focal_point_sees_only_its_own_citys_returned_nominations(rolled_back_app):
    mine, theirs = factories.make_city(), factories.make_city()
    factories.make_nomination(city=mine, state="returned")
    factories.make_nomination(city=mine, state="draft")
    factories.make_nomination(city=mine, state="submitted")
    factories.make_nomination(city=theirs, state="returned")
    factories.make_nomination(city=theirs, state="returned")
    focal_point = factories.make_focal_point(city=mine)

    assert _counts(focal_point) == {
        ("nomination", "our_drafts"): 1,
        ("nomination", "returned_to_us"): 1,
    }
    entry = next(e for e in worklists_for(focal_point) if e.worklist.id == "returned_to_us")
    assert entry.worklist.title == "Returned to us"
    returned = db.session.scalars(query(entry.definition, entry.worklist, focal_point)).all()
    assert {n.city_id for n in returned} == {mine.id}


def test_an_empty_local_worklist_is_not_shown(rolled_back_app):
    city = factories.make_city()
    factories.make_nomination(city=city, state="submitted")
    assert _counts(factories.make_focal_point(city=city)) == {}


def test_a_reviewer_sees_the_assignments_awaiting_a_score(rolled_back_app):
    reviewer = factories.make_reviewer()
    for state in ("accepted", "accepted", "reopened", "submitted", "invited", "declined"):
        factories.make_assignment(factories.make_nomination(state="under_review"), reviewer, state)
    factories.make_assignment(factories.make_nomination(state="under_review"), state="accepted")

    assert _counts(reviewer) == {
        ("review", "to_accept"): 1,
        ("review", "to_score"): 3,
        ("review", "reviewed"): 1,
    }
    entry = next(e for e in worklists_for(reviewer) if e.worklist.id == "to_score")
    assert entry.worklist.title == "Awaiting my score"


def test_visitors_have_no_worklists(rolled_back_app):
    assert worklists_for(AnonymousUserMixin()) == []
    assert worklists_for(None) == []


def _submitted(n, user):
    call = factories.make_call()
    for _ in range(n):
        factories.make_nomination(call=call, state="submitted")
    return ("nomination", "awaiting_screening")


def _returned(n, user):
    city = user.memberships[0].city
    for _ in range(n):
        factories.make_nomination(city=city, state="returned")
    return ("nomination", "returned_to_us")


def _to_score(n, user):
    for _ in range(n):
        factories.make_assignment(factories.make_nomination(state="under_review"), user)
    return ("review", "to_score")


@pytest.mark.parametrize(
    ("make_user", "add_items"),
    [
        (factories.make_secretariat, _submitted),
        (lambda: factories.make_focal_point(), _returned),
        (factories.make_reviewer, _to_score),
    ],
    ids=["secretariat", "focal_point", "reviewer"],
)
def test_worklists_cost_the_same_queries_for_2_and_20_items(rolled_back_app, make_user, add_items):
    user = make_user()
    key = add_items(2, user)
    _counts(user)  # load what belongs to the user once, as any page would
    with count_queries() as few:
        counts = _counts(user)
    assert counts[key] == 2

    add_items(18, user)
    with count_queries() as many:
        counts = _counts(user)
    assert counts[key] == 20

    assert len(many) == len(few)
    assert all("count(" in q.lower() for q in many)


def test_counts_are_kept_while_nothing_is_written_and_counted_again_after_a_write(app):
    """A signed-in page asks for the reader's worklists at every request: they are kept
    per reader until a commit writes anything (or the page cache's time runs out), and
    what the reader's own transaction wrote is never hidden by them."""
    officer = factories.make_secretariat()
    call = factories.make_call()
    factories.make_nomination(call=call, state="submitted")
    db.session.commit()
    assert _counts(officer)[("nomination", "awaiting_screening")] == 1
    with count_queries() as statements:
        assert _counts(officer)[("nomination", "awaiting_screening")] == 1
    assert not [s for s in statements if "count(" in s.lower()], "counted again"

    factories.make_nomination(call=call, state="submitted")
    db.session.flush()  # written, not committed: counted again, not kept
    assert _counts(officer)[("nomination", "awaiting_screening")] == 2
    db.session.commit()  # the write moves the site's generation on
    assert _counts(officer)[("nomination", "awaiting_screening")] == 2
    factories.make_nomination(call=call, state="submitted")
    db.session.commit()
    assert _counts(officer)[("nomination", "awaiting_screening")] == 3


def test_kept_counts_last_no_longer_than_the_page_cache_allows(app, monkeypatch):
    officer = factories.make_secretariat()
    call = factories.make_call()
    db.session.commit()
    assert _counts(officer).get(("nomination", "awaiting_screening"), 0) == 0
    # A change the generation does not see (raw SQL on a table no commit hook watches).
    factories.make_nomination(call=call, state="submitted")
    db.session.commit()
    assert _counts(officer)[("nomination", "awaiting_screening")] == 1
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE nominations SET state = 'draft'")
    db.session.expire_all()
    assert _counts(officer)[("nomination", "awaiting_screening")] == 1  # kept
    monkeypatch.setattr(worklists._counts, "seconds", 0.000001)
    assert _counts(officer).get(("nomination", "awaiting_screening"), 0) == 0


def test_a_kept_read_stands_until_a_commit_writes_anything(app):
    """``kept_read`` keeps what a page reads (a ranking's counts, a call's countries) on the
    same terms as the worklist counts."""
    reads = []

    def read():
        reads.append(1)
        return db.session.scalar(sa.select(sa.func.count()).select_from(Nomination))

    assert worklists.kept_read(("nominations",), read) == 0
    assert worklists.kept_read(("nominations",), read) == 0
    assert len(reads) == 1
    factories.make_nomination(call=factories.make_call(), state="submitted")
    db.session.flush()  # written, not committed: read again, not kept
    assert worklists.kept_read(("nominations",), read) == 1
    db.session.commit()
    assert worklists.kept_read(("nominations",), read) == 1
    assert worklists.kept_read(("nominations",), read) == 1
    assert len(reads) == 3


def test_what_an_older_generation_kept_is_let_go_at_the_next_one():
    """Reads kept under an older generation are never served again: the first read kept
    under a new one lets them all go, before their keys are asked for."""
    store = worklists._KeptReads(size=8)
    store.seconds = 60
    store.put(("a",), 1, "a1")
    store.put(("b",), 1, "b1")
    assert len(store._kept) == 2
    store.put(("c",), 2, "c2")
    assert list(store._kept) == [("c",)]
    assert store.get(("c",), 2) == "c2"


def test_large_reads_are_kept_fewer(app):
    """A large read (a ranking page's results) is kept in a store of its own, smaller than
    the counts'."""
    assert worklists._large_reads.size < worklists._reads.size
    read = lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Nomination))  # noqa: E731
    assert worklists.kept_read(("nominations", "large"), read, large=True) == 0
    assert any(key[-1] == "large" for key in worklists._large_reads._kept)
    assert not any(key[-1] == "large" for key in worklists._reads._kept)


def test_a_kept_read_outlives_the_pages_time_bound_but_not_its_own(app, monkeypatch):
    """The worklist counts may move with the clock (an overdue worklist): kept for at most
    RECOGNITION_PAGE_CACHE_SECONDS. A kept read may not (a ranking's counts): kept for at
    most RECOGNITION_KEPT_READS_SECONDS, while nothing is written."""
    assert worklists._counts.seconds == app.config["RECOGNITION_PAGE_CACHE_SECONDS"] == 60
    assert worklists._reads.seconds == app.config["RECOGNITION_KEPT_READS_SECONDS"] == 3600
    assert worklists._large_reads.seconds == 3600
    now = [1000.0]
    monkeypatch.setattr(worklists.time, "monotonic", lambda: now[0])
    reads = []

    def read():
        reads.append(now[0])
        return len(reads)

    assert worklists.kept_read(("clockless",), read) == 1
    now[0] += 600  # ten minutes: past the pages' bound
    assert worklists.kept_read(("clockless",), read) == 1
    now[0] += 3600  # past its own
    assert worklists.kept_read(("clockless",), read) == 2
