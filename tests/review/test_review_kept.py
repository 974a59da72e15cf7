"""Kept score aggregates: moved by the engine as reviews are counted and uncounted, always
equal to the reference aggregation of the call's scores, whatever order reviews come in, and
never losing a review to another submitted at the same moment (PostgreSQL, real threads)."""

from __future__ import annotations

import random

import factories
import pytest
import sqlalchemy as sa
from races import race, signed_in
from review_support import add_scores, form_data
from sqlalchemy.orm import Session

from recognition.extensions import db
from recognition.review import kept
from recognition.review.aggregation import aggregate, submitted_scores
from recognition.review.models import Assignment, KeptRound, NominationScores, ScoreMoment
from recognition.review.operations import assign
from recognition.timeutil import utcnow
from recognition.workflow.engine import fire
from recognition.workflow.registry import states_tagged

ROUND = "review"


def _kept_moments(call) -> dict:
    rows = db.session.execute(
        sa.select(
            ScoreMoment.reviewer_id,
            ScoreMoment.criterion,
            ScoreMoment.n,
            ScoreMoment.total,
            ScoreMoment.squares,
        ).where(ScoreMoment.call_id == call.id, ScoreMoment.n > 0)
    )
    return {(r, c): (n, t, s) for r, c, n, t, s in rows}


def _reference_moments(call) -> dict:
    found: dict = {}
    for row in submitted_scores(call.id, round_id=ROUND):
        for who in (kept.EVERYONE, row.reviewer_id):
            n, t, s = found.get((who, row.criterion), (0, 0, 0))
            found[(who, row.criterion)] = (n + 1, t + row.value, s + row.value * row.value)
    return found


def _reference(call) -> dict:
    rows = submitted_scores(call.id, round_id=ROUND)
    return aggregate(call.programme, rows, call.disagreement_threshold)


def _kept_rows(call) -> dict:
    return {
        row.nomination_id: row
        for row in db.session.scalars(
            sa.select(NominationScores).where(NominationScores.call_id == call.id)
        )
    }


def assert_kept_equals_reference(call) -> None:
    assert _kept_moments(call) == _reference_moments(call)
    reference = _reference(call)
    rows = _kept_rows(call)
    for nomination_id, expected in reference.items():
        row = rows[nomination_id]
        assert row.reviews == expected.reviews
        assert row.weighted_total == pytest.approx(expected.weighted_total)
        assert row.disagreement == expected.disagreement
        assert row.means == pytest.approx({k: c.mean for k, c in expected.criteria.items()})
        assert row.strengths == expected.strengths
        assert row.qualifies == expected.qualifies
    # Nominations whose reviews were all withdrawn or reopened count nothing any more.
    for nomination_id in rows.keys() - reference.keys():
        assert rows[nomination_id].reviews == 0
        assert rows[nomination_id].weighted_total is None
    # A nomination's shown result (its scores and the kept moments) is the reference's.
    shown = kept.compute(call, ROUND, list(reference))
    for nomination_id, expected in reference.items():
        assert shown[nomination_id].normalised_total == pytest.approx(expected.normalised_total)
        for criterion, result in expected.criteria.items():
            assert shown[nomination_id].criteria[criterion].normalised == pytest.approx(
                result.normalised
            )


@pytest.fixture
def campaign(db):
    """A Role Model City call in review: nominations, reviewers, accepted assignments with
    their scores saved but not submitted."""
    call = factories.make_call(state="reviewing")
    reviewers = [factories.make_reviewer() for _ in range(4)]
    rng = random.Random(7)
    assignments = []
    for _ in range(5):
        nomination = factories.make_nomination(call=call, state="under_review")
        for reviewer in rng.sample(reviewers, 3):
            assignment = factories.make_assignment(nomination, reviewer, state="accepted")
            add_scores(assignment, {c.id: rng.randint(c.min, c.max) for c in _criteria(call)})
            assignment.recommendation = "recommend"
            assignments.append(assignment)
    db.session.commit()
    return call, assignments


def _criteria(call):
    return call.programme.rubric.criteria


def test_submissions_reopenings_and_withdrawals_keep_the_reference(app, db, campaign):
    call, assignments = campaign
    officer = factories.make_secretariat()
    rng = random.Random(11)
    for assignment in assignments:
        fire(assignment, "submit", assignment.reviewer)
        db.session.commit()
        assert_kept_equals_reference(call)
    for assignment in rng.sample(assignments, 6):
        fire(assignment, "reopen", officer)
        db.session.commit()
        assert_kept_equals_reference(call)
    reopened = [a for a in assignments if a.state == "reopened"]
    # Scores changed while reopened, submitted again; others withdrawn.
    for assignment in reopened[:3]:
        for score in assignment.scores:
            score.value = rng.randint(0, 3)
        fire(assignment, "submit", assignment.reviewer)
        db.session.commit()
        assert_kept_equals_reference(call)
    for assignment in reopened[3:]:
        fire(assignment, "withdraw", officer)
        db.session.commit()
        assert_kept_equals_reference(call)
    # The first submission built the round; every later change of what counts moved it on
    # (withdrawing a reopened review changes nothing counted).
    assert db.session.get(KeptRound, (call.id, ROUND)).generation == 5 * 3 - 1 + 6 + 3


def test_normalised_totals_are_brought_up_to_date_for_sorting(app, db, campaign):
    call, assignments = campaign
    for assignment in assignments:
        fire(assignment, "submit", assignment.reviewer)
    db.session.commit()
    kept.bring_normalised_up_to_date(call, ROUND)
    reference = _reference(call)
    for nomination_id, row in _kept_rows(call).items():
        assert row.normalised_total == pytest.approx(reference[nomination_id].normalised_total)
    state = db.session.get(KeptRound, (call.id, ROUND))
    assert state.normalised_generation == state.generation


def test_a_round_never_kept_is_built_from_its_scores(app, db, campaign, client, login_as):
    """A database from before, or a bulk load: the first ranking builds the kept rows."""
    call, assignments = campaign
    for assignment in assignments:
        # As a bulk load leaves them: submitted, without the engine.
        assignment.state = "submitted"
        assignment.submitted_at = utcnow()
    db.session.commit()
    assert db.session.get(KeptRound, (call.id, ROUND)) is None
    login_as(factories.make_secretariat())
    db.session.commit()
    assert client.get(f"/secretariat/calls/{call.id}/ranking").status_code == 200
    db.session.expire_all()
    assert db.session.get(KeptRound, (call.id, ROUND)) is not None
    assert_kept_equals_reference(call)


def test_the_first_review_of_a_round_never_kept_builds_it_with_the_review(app, db, campaign):
    call, assignments = campaign
    first, *rest = assignments
    for assignment in rest[:4]:
        assignment.state = "submitted"
        assignment.submitted_at = utcnow()
    db.session.commit()
    fire(first, "submit", first.reviewer)
    db.session.commit()
    assert_kept_equals_reference(call)


# -- reviews submitted at the same moment (PostgreSQL) ---------------------------------------


@pytest.mark.postgres_only
def test_reviews_submitted_at_the_same_moment_are_all_counted(app, db, campaign):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers")
    call, assignments = campaign
    # The round is kept already: every submission moves the same rows.
    fire(assignments[0], "submit", assignments[0].reviewer)
    db.session.commit()
    racing = assignments[1:]
    requests = []
    for assignment in racing:
        client = signed_in(app, assignment.reviewer)
        data = form_data(value=2, action="submit")
        requests.append(
            lambda client=client, a=assignment, data=data: client.post(
                f"/reviews/{a.id}", data=data
            )
        )
    responses = race(app, requests)
    assert all(r.status_code in (302, 303) for r in responses), [r.status_code for r in responses]
    with Session(db.engine) as session:
        submitted = session.scalar(
            sa.select(sa.func.count()).where(
                Assignment.id.in_([a.id for a in assignments]), Assignment.state == "submitted"
            )
        )
    assert submitted == len(assignments)
    db.session.expire_all()
    assert_kept_equals_reference(call)


# -- reviewers' loads --------------------------------------------------------------------------


def _reference_loads(call) -> dict:
    found: dict = {}
    for assignment in db.session.scalars(sa.select(Assignment)):
        if assignment.nomination.call_id != call.id:
            continue
        live, counted = found.get(assignment.reviewer_id, (0, 0))
        found[assignment.reviewer_id] = (
            live + int(assignment.state in states_tagged(Assignment, "live")),
            counted + int(assignment.state in states_tagged(Assignment, "counted")),
        )
    return found


def test_reviewers_loads_follow_invitations_answers_and_reviews(app, db, campaign):
    call, assignments = campaign
    officer = factories.make_secretariat()
    assert kept.reviewer_loads(call.id) == _reference_loads(call)  # built from the rows
    db.session.commit()
    newcomer = factories.make_reviewer(country="JP")
    nomination = assignments[0].nomination
    invited = assign(nomination, newcomer, officer)
    db.session.commit()
    assert kept.reviewer_loads(call.id) == _reference_loads(call)
    fire(invited, "decline", newcomer, "Travelling.")
    for assignment in assignments[:4]:
        fire(assignment, "submit", assignment.reviewer)
    fire(assignments[0], "reopen", officer)
    fire(assignments[5], "withdraw", officer)
    db.session.commit()
    assert kept.reviewer_loads(call.id) == _reference_loads(call)
    assert kept.reviewer_loads(call.id)[newcomer.id] == (0, 0)
