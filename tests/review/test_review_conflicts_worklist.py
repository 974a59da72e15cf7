"""The secretariat's "Declined and conflicted assignments" worklist lists only what still
needs a replacement: the nomination is in review with fewer live reviewers than its call
asks for. A conflict whose reviewer was replaced drops off the list."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from review_support import move_nomination

from recognition.workflow.worklists import worklists_for

URL = "/secretariat/worklists/review/conflicts"


def _count(officer) -> int:
    return next(
        e.count
        for e in worklists_for(officer)
        if (e.definition.id, e.worklist.id) == ("review", "conflicts")
    )


@pytest.fixture
def short(db):
    """A nomination under review (three reviewers wanted) with one accepted assignment and
    one whose reviewer declared a conflict, in a city named Shortville."""
    call = factories.make_call(state="reviewing", reviewers_per_nomination=3)
    nomination = factories.make_nomination(
        call=call, city=factories.make_city(name="Shortville"), state="under_review"
    )
    factories.make_assignment(nomination, state="accepted")
    conflicted = factories.make_assignment(nomination, state="conflicted")
    officer = factories.make_secretariat()
    db.session.commit()
    return nomination, conflicted, officer


@pytest.mark.parametrize("state", ["conflicted", "declined"])
def test_an_unreplaced_refusal_is_listed(db, login_as, state):
    nomination = factories.make_nomination(
        call=factories.make_call(state="reviewing"),
        city=factories.make_city(name="Shortville"),
        state="under_review",
    )
    factories.make_assignment(nomination, state=state)
    officer = factories.make_secretariat()
    db.session.commit()
    assert _count(officer) == 1
    assert "Shortville" in login_as(officer).get(URL).get_data(as_text=True)


def test_a_replaced_conflict_drops_off_the_list(db, login_as, short):
    nomination, _conflicted, officer = short
    assert _count(officer) == 1
    factories.make_assignment(nomination, state="invited")  # the replacement, still live
    factories.make_assignment(nomination, state="submitted")
    db.session.commit()
    assert _count(officer) == 0
    assert "Shortville" not in login_as(officer).get(URL).get_data(as_text=True)


def test_dead_assignments_do_not_count_as_replacements(db, short):
    nomination, _conflicted, officer = short
    for state in ("declined", "withdrawn", "conflicted"):
        factories.make_assignment(nomination, state=state)
    db.session.commit()
    # Still short of reviewers: the three refusals are listed (a withdrawal is not one).
    assert _count(officer) == 3


def test_the_calls_number_of_reviewers_decides(db, short):
    nomination, _conflicted, officer = short
    nomination.call.reviewers_per_nomination = 1  # the accepted reviewer is enough
    db.session.commit()
    assert _count(officer) == 0


@pytest.mark.parametrize("state", ["recognised", "not_recognised", "withdrawn"])
def test_a_nomination_out_of_review_needs_no_replacement(db, short, state):
    nomination, _conflicted, officer = short
    move_nomination(nomination, state, officer)
    db.session.commit()
    assert _count(officer) == 0


def test_the_worklist_costs_the_same_queries_whatever_the_number_of_conflicts(app, db, login_as):
    call = factories.make_call(state="reviewing")
    officer = factories.make_secretariat()

    def add(n):
        for _ in range(n):
            nomination = factories.make_nomination(call=call, state="under_review")
            factories.make_assignment(nomination, state="conflicted")
            factories.make_assignment(nomination, state="accepted")
        db.session.commit()

    def queries() -> int:
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(URL).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    add(2)
    client = login_as(officer)
    few = queries()
    add(20)
    assert queries() == few
