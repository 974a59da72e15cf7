"""Aggregation, checked against numbers computed by hand.

The example: a Sasakawa Award call (scale 0-10; criteria concrete_results weight 2,
agent_of_change, acting_ahead, sustainability weight 1 each; best weighted total
2*10 + 10 + 10 + 10 = 50), three reviewers R1, R2, R3, two nominations N1, N2:

    criterion          N1: R1 R2 R3    N2: R1 R2 R3
    concrete_results        8  6  4         6  2  4
    agent_of_change         7  7  7         5  5  5
    acting_ahead            9  5  4         3  3  3
    sustainability          6  6  6         6  6  6

Raw, per nomination and criterion (mean, median, spread = max - min):
    N1 concrete (8,6,4): mean 6, median 6, spread 4   N2 (6,2,4): mean 4, median 4, spread 4
    N1 agent    (7,7,7): 7, 7, 0                      N2 (5,5,5): 5, 5, 0
    N1 ahead    (9,5,4): mean 18/3 = 6, median 5, 5   N2 (3,3,3): 3, 3, 0
    N1 sustain  (6,6,6): 6, 6, 0                      N2 (6,6,6): 6, 6, 0
Weighted totals: N1 = 2*6 + 7 + 6 + 6 = 31 (31/50 = 62 %); N2 = 2*4 + 5 + 3 + 6 = 22 (44 %).
Disagreement threshold 3.5: N1 concrete (4) and ahead (5) disagree; N2 concrete (4) does.

Normalised (z of each reviewer's scores for the criterion across the call, population sd;
rescaled with the mean m and population sd s of all the call's scores for the criterion):
  concrete: R1 (8,6) mean 7 sd 1 -> z +1, -1; R2 (6,2) mean 4 sd 2 -> +1, -1;
            R3 (4,4) sd 0 -> z 0, 0.
            all (8,6,4,6,2,4): m = 30/6 = 5; deviations 3,1,-1,1,-3,-1; squares sum 22;
            s = sqrt(22/6) = sqrt(11/3) = 1.914854...
            N1: R1 5+s, R2 5+s, R3 5 -> normalised mean (10+2s+5)/3 = 5 + 2s/3 = 6.276569...
            N2: R1 5-s, R2 5-s, R3 5 -> 5 - 2s/3 = 3.723431...
  agent:    each reviewer (7,5): mean 6 sd 1 -> z +1, -1; all: m 6, s 1 -> N1 7, N2 5.
  ahead:    R1 (9,3) mean 6 sd 3 -> +1, -1; R2 (5,3) mean 4 sd 1 -> +1, -1;
            R3 (4,3) mean 3.5 sd 0.5 -> +1, -1.
            all (9,5,4,3,3,3): m = 27/6 = 4.5; squares of deviations
            20.25 + 0.25 + 0.25 + 3*2.25 = 27.5; s = sqrt(27.5/6) = 2.140872...
            N1: every reviewer 4.5 + s = 6.640872...; N2: 4.5 - s = 2.359128...
            (the harsh R3's 4 and the generous R1's 9 both become 6.64: each is that
            reviewer's better score.)
  sustain:  every reviewer sd 0 -> z 0 -> m = 6.
Normalised totals: N1 = 2*(5 + 2s/3) + 7 + (4.5 + s') + 6, N2 = 2*(5 - 2s/3) + 5 + (4.5 - s') + 6
with s = sqrt(11/3), s' = sqrt(27.5/6).
"""

from __future__ import annotations

import math

import factories
import pytest
import sqlalchemy as sa
from review_support import add_scores, programme, submit_scores, text

from recognition.accounts.models import User
from recognition.review.aggregation import (
    ScoreRow,
    aggregate,
    aggregate_call,
    aggregate_nomination,
    reviews_complete,
)
from recognition.review.models import Assignment
from recognition.workflow.engine import fire

N1, N2 = 1, 2
R1, R2, R3 = 11, 12, 13
TABLE = {
    "concrete_results": {N1: (8, 6, 4), N2: (6, 2, 4)},
    "agent_of_change": {N1: (7, 7, 7), N2: (5, 5, 5)},
    "acting_ahead": {N1: (9, 5, 4), N2: (3, 3, 3)},
    "sustainability": {N1: (6, 6, 6), N2: (6, 6, 6)},
}
S_CONCRETE = math.sqrt(11 / 3)
S_AHEAD = math.sqrt(27.5 / 6)


def _rows() -> list[ScoreRow]:
    return [
        ScoreRow(nomination, reviewer, criterion, value)
        for criterion, by_nomination in TABLE.items()
        for nomination, values in by_nomination.items()
        for reviewer, value in zip((R1, R2, R3), values, strict=True)
    ]


@pytest.fixture
def results(app):
    return aggregate(programme("sasakawa_award"), _rows(), threshold=3.5)


RAW = [
    # nomination, criterion, mean, median, spread
    (N1, "concrete_results", 6, 6, 4),
    (N1, "agent_of_change", 7, 7, 0),
    (N1, "acting_ahead", 6, 5, 5),
    (N1, "sustainability", 6, 6, 0),
    (N2, "concrete_results", 4, 4, 4),
    (N2, "agent_of_change", 5, 5, 0),
    (N2, "acting_ahead", 3, 3, 0),
    (N2, "sustainability", 6, 6, 0),
]


@pytest.mark.parametrize(("nomination", "criterion", "mean", "median", "spread"), RAW)
def test_mean_median_and_spread(results, nomination, criterion, mean, median, spread):
    found = results[nomination].criteria[criterion]
    assert (found.mean, found.median, found.spread) == (
        pytest.approx(mean),
        pytest.approx(median),
        pytest.approx(spread),
    )


@pytest.mark.parametrize(("nomination", "total", "percent"), [(N1, 31, 62), (N2, 22, 44)])
def test_weighted_total(results, nomination, total, percent):
    assert results[nomination].weighted_total == pytest.approx(total)
    assert results[nomination].weighted_percent == pytest.approx(percent)


@pytest.mark.parametrize(
    ("nomination", "criterion", "flagged"),
    [
        (N1, "concrete_results", True),
        (N1, "agent_of_change", False),
        (N1, "acting_ahead", True),
        (N2, "concrete_results", True),
        (N2, "acting_ahead", False),
    ],
)
def test_disagreement_when_the_spread_exceeds_the_threshold(
    results, nomination, criterion, flagged
):
    assert results[nomination].criteria[criterion].disagreement is flagged


def test_a_spread_equal_to_the_threshold_is_no_disagreement(app):
    # N1 concrete spread 4: a threshold of exactly 4 does not flag it.
    found = aggregate(programme("sasakawa_award"), _rows(), threshold=4)
    assert found[N1].criteria["concrete_results"].disagreement is False
    assert found[N1].criteria["acting_ahead"].disagreement is True


@pytest.mark.parametrize(
    ("nomination", "criterion", "normalised"),
    [
        # In reviewer order R1, R2, R3.
        (N1, "concrete_results", [5 + S_CONCRETE, 5 + S_CONCRETE, 5]),
        (N2, "concrete_results", [5 - S_CONCRETE, 5 - S_CONCRETE, 5]),
        (N1, "agent_of_change", [7, 7, 7]),
        (N2, "agent_of_change", [5, 5, 5]),
        (N1, "acting_ahead", [4.5 + S_AHEAD] * 3),
        (N2, "acting_ahead", [4.5 - S_AHEAD] * 3),
        (N1, "sustainability", [6, 6, 6]),
    ],
)
def test_per_reviewer_normalised_scores(results, nomination, criterion, normalised):
    found = results[nomination].criteria[criterion]
    assert found.normalised == pytest.approx(normalised)


def test_the_hand_computed_constants(results):
    # 5 + s = 6.914854..., 4.5 + s' = 6.640872...
    assert results[N1].criteria["concrete_results"].normalised[0] == pytest.approx(
        6.914854, abs=1e-6
    )
    assert results[N1].criteria["acting_ahead"].normalised[2] == pytest.approx(6.640872, abs=1e-6)


@pytest.mark.parametrize(
    ("nomination", "criterion", "mean"),
    [
        (N1, "concrete_results", 5 + 2 * S_CONCRETE / 3),  # 6.276569...
        (N2, "concrete_results", 5 - 2 * S_CONCRETE / 3),  # 3.723431...
        (N1, "acting_ahead", 4.5 + S_AHEAD),
    ],
)
def test_normalised_mean(results, nomination, criterion, mean):
    assert results[nomination].criteria[criterion].normalised_mean == pytest.approx(mean)


@pytest.mark.parametrize(
    ("nomination", "total"),
    [
        (N1, 2 * (5 + 2 * S_CONCRETE / 3) + 7 + (4.5 + S_AHEAD) + 6),  # 32.194011...
        (N2, 2 * (5 - 2 * S_CONCRETE / 3) + 5 + (4.5 - S_AHEAD) + 6),  # 20.805989...
    ],
)
def test_normalised_total(results, nomination, total):
    assert results[nomination].normalised_total == pytest.approx(total)


def test_the_hand_computed_totals(results):
    # 2 * 6.276569 + 7 + 6.640872 + 6 = 32.194011; 2 * 3.723431 + 5 + 2.359128 + 6 = 20.805989
    assert results[N1].normalised_total == pytest.approx(32.194011, abs=1e-6)
    assert results[N2].normalised_total == pytest.approx(20.805989, abs=1e-6)


def test_a_normalised_score_is_clamped_to_the_scale(app):
    # One criterion, two nominations. R1 gives 10 and 0 (mean 5, sd 5: z +1, -1); R2 gives
    # 10 and 10 (sd 0: z 0). All four: 10, 0, 10, 10 -> m = 7.5, squares of deviations
    # 6.25 + 56.25 + 6.25 + 6.25 = 75, s = sqrt(75/4) = 4.330127. R1's 10 becomes
    # 7.5 + 4.33 = 11.83 -> clamped to 10; R1's 0 becomes 7.5 - 4.33 = 3.169873.
    rows = [
        ScoreRow(N1, R1, "agent_of_change", 10),
        ScoreRow(N2, R1, "agent_of_change", 0),
        ScoreRow(N1, R2, "agent_of_change", 10),
        ScoreRow(N2, R2, "agent_of_change", 10),
    ]
    found = aggregate(programme("sasakawa_award"), rows, threshold=2)
    assert found[N1].criteria["agent_of_change"].normalised == pytest.approx([10, 7.5])
    assert found[N2].criteria["agent_of_change"].normalised == pytest.approx(
        [7.5 - math.sqrt(75 / 4), 7.5]
    )


def test_no_weighted_total_until_every_criterion_is_scored(app):
    rows = [r for r in _rows() if r.criterion != "sustainability"]
    found = aggregate(programme("sasakawa_award"), rows, threshold=3.5)
    assert found[N1].weighted_total is None
    assert found[N1].criteria["concrete_results"].mean == pytest.approx(6)


def test_the_number_of_reviews_is_counted(results):
    assert (results[N1].reviews, results[N2].reviews) == (3, 3)


# -- Role Model City: areas of strength -----------------------------------------------------

# Two reviewers; threshold 4, minimum 5. Essential means:
#   e1 (5,4) 4.5 yes   e2 (4,4) 4 yes (at the threshold)   e3 (4,3) 3.5 no
#   e4 (5,5) 5 yes     e5 (4,4) 4 yes   e6 (3,5) 4 yes     e7..e10 (2,3) 2.5 no
# innovation (5,5) is not an Essential. Strengths 1, 2, 4, 5, 6: five -> qualifies.
# N2 has the same scores except e6 (3,4) 3.5: four strengths -> does not qualify.
RMC = {
    "essential_1": (5, 4),
    "essential_2": (4, 4),
    "essential_3": (4, 3),
    "essential_4": (5, 5),
    "essential_5": (4, 4),
    "essential_6": (3, 5),
    "essential_7": (2, 3),
    "essential_8": (2, 3),
    "essential_9": (2, 3),
    "essential_10": (2, 3),
    "innovation": (5, 5),
    "sustained_results": (3, 3),
    "sharing": (3, 3),
}


def _rmc_rows():
    rows = []
    for criterion, values in RMC.items():
        for nomination in (N1, N2):
            if nomination == N2 and criterion == "essential_6":
                values = (3, 4)
            for reviewer, value in zip((R1, R2), values, strict=True):
                rows.append(ScoreRow(nomination, reviewer, criterion, value))
    return rows


def test_areas_of_strength_are_the_essentials_at_or_above_the_threshold(app):
    found = aggregate(programme("role_model_city"), _rmc_rows(), threshold=2)
    assert found[N1].strengths == [1, 2, 4, 5, 6]


@pytest.mark.parametrize(("nomination", "qualifies"), [(N1, True), (N2, False)])
def test_at_least_five_strengths_qualify(app, nomination, qualifies):
    found = aggregate(programme("role_model_city"), _rmc_rows(), threshold=2)
    assert found[nomination].qualifies is qualifies


def test_the_sasakawa_award_has_no_areas_of_strength(results):
    assert (results[N1].strengths, results[N1].qualifies) == ([], None)


# -- from the database -----------------------------------------------------------------------


@pytest.fixture
def sasakawa(db):
    """The example as submitted reviews in a call, plus noise that must not count: a draft
    score, a declined reviewer's score and another call's review."""
    call = factories.make_call(
        programme_id="sasakawa_award", state="reviewing", disagreement_threshold=3.5
    )
    reviewers = [factories.make_reviewer(name=f"R{n}") for n in (1, 2, 3)]
    nominations = [factories.make_nomination(call=call, state="under_review") for _ in (N1, N2)]
    for index, nomination in enumerate(nominations):
        for position, reviewer in enumerate(reviewers):
            assignment = factories.make_assignment(nomination, reviewer, state="accepted")
            values = {c: TABLE[c][index + 1][position] for c in TABLE}
            submit_scores(assignment, values)
    drafting = factories.make_assignment(nominations[0], factories.make_reviewer())
    add_scores(drafting, 0)
    declined = factories.make_assignment(nominations[0], factories.make_reviewer(), "declined")
    add_scores(declined, 10)
    elsewhere = factories.make_nomination(
        call=factories.make_call(programme_id="sasakawa_award", state="reviewing"),
        state="under_review",
    )
    submit_scores(factories.make_assignment(elsewhere, reviewers[0]), 0)
    db.session.commit()
    return call, nominations


def test_the_call_aggregates_only_its_submitted_reviews(app, sasakawa):
    call, nominations = sasakawa
    found = aggregate_call(call)
    first, second = (found[n.id] for n in nominations)
    assert (first.weighted_total, second.weighted_total) == (pytest.approx(31), pytest.approx(22))
    assert first.criteria["concrete_results"].normalised == pytest.approx(
        [5 + S_CONCRETE, 5 + S_CONCRETE, 5]
    )


def test_the_call_aggregate_follows_a_new_review(app, db, sasakawa):
    """Kept results are not served once another review is submitted."""
    call, nominations = sasakawa
    assert aggregate_call(call)[nominations[0].id].reviews == 3
    assert aggregate_call(call) is aggregate_call(call)  # unchanged scores: kept
    late = factories.make_assignment(nominations[0], factories.make_reviewer())
    submit_scores(late, 10)
    db.session.commit()
    fresh = aggregate_call(call)[nominations[0].id]
    assert fresh.reviews == 4
    assert fresh.criteria["agent_of_change"].values[-1] == 10


def test_the_call_aggregate_follows_scores_changed_in_place(app, db, sasakawa):
    """A reviewer reopens a review and swaps two scores: counts and sums of the values stay
    the same, the weighted total does not, and the kept results must not be served."""
    call, nominations = sasakawa
    assert aggregate_call(call)[nominations[0].id].weighted_total == pytest.approx(31)
    assignment = db.session.scalars(
        sa.select(Assignment)
        .join(User, User.id == Assignment.reviewer_id)
        .where(Assignment.nomination_id == nominations[0].id, User.name == "R1")
    ).one()
    reviewer = assignment.reviewer
    fire(assignment, "reopen", reviewer)
    concrete = assignment.score_for("concrete_results")
    agent = assignment.score_for("agent_of_change")
    concrete.value, agent.value = agent.value, concrete.value  # 8 and 7 change places
    fire(assignment, "submit", reviewer)
    db.session.commit()
    # Concrete results weigh 2, agent of change 1: the mean of each moves by a third.
    assert aggregate_call(call)[nominations[0].id].weighted_total == pytest.approx(31 - 1 / 3)


def test_one_nomination_is_normalised_against_the_whole_call(app, sasakawa):
    call, nominations = sasakawa
    found = aggregate_nomination(nominations[1])
    assert found.normalised_total == pytest.approx(
        2 * (5 - 2 * S_CONCRETE / 3) + 5 + (4.5 - S_AHEAD) + 6
    )


def test_the_panel_shows_the_numbers(app, db, client, login_as, sasakawa):
    call, nominations = sasakawa
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    page = text(client.get(f"/nominations/{nominations[0].id}"))
    assert "Weighted total: 31.00 (62% of the maximum); normalised: 32.19" in page
    assert "Reviewers disagree" in page
    # Each reviewer's score on the 0–10 scale, read as such.
    scores = ", ".join(f'<span class="score text-nowrap">{v}/10</span>' for v in (8, 6, 4))
    assert f"<td>{scores}</td>" in page
    assert "<td>6.91, 6.91, 5.00</td>" in page


# -- reviews complete ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("states", "complete"),
    [
        ((), False),
        (("submitted",), True),
        (("submitted", "submitted"), True),
        (("submitted", "accepted"), False),
        (("submitted", "invited"), False),
        (("submitted", "reopened"), False),
        (("submitted", "declined"), True),
        (("submitted", "conflicted"), True),
        (("submitted", "withdrawn"), True),
        (("declined", "withdrawn"), False),
    ],
)
def test_reviews_complete(app, world, states, complete):
    # The world's own accepted assignment is withdrawn first: only ``states`` count.
    world.assignment.state = "withdrawn"
    for state in states:
        factories.make_assignment(world.nomination, state=state)
    assert reviews_complete(world.nomination) is complete
