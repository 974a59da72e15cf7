"""Robustness of a round's outcome: leave one reviewer out, and a bootstrap of the reviews.

The Laureate example (UN Sasakawa Award: scale 0-10, concrete results weighing 2 and three
criteria weighing 1, so a reviewer scoring every criterion v gives a weighted total of 5v;
reviewers R1, R2, R3 and DEV):

    nomination   R1  R2  R3  DEV   mean     weighted total   without DEV
    Accra         7   8   -   10   25/3     41.67            7.5 -> 37.50
    Bergen        8   8   7    -   23/3     38.33            38.33
    Cork          5   6   5    -   16/3     26.67            26.67

Accra ranks first by 10/3 = 3.33 over Bergen; without DEV's scores Bergen would: the Laureate
hinges on DEV. Without R1 (Accra 9 -> 45, Bergen 7.5 -> 37.5), R2 (Accra 8.5 -> 42.5, Bergen
37.5) or R3 (Bergen 8 -> 40) Accra stays first. In the robust variant R1 and R2 give Accra 9:
46.67, and 45 without DEV.
"""

from __future__ import annotations

import random
import re

import factories
import pytest
import sqlalchemy as sa
from flask_login import login_user
from review_support import programme, submit_scores, text

from recognition.review.aggregation import ScoreRow, aggregate
from recognition.review.models import KeptRound
from recognition.review.robustness import (
    FEWEST_RESAMPLES,
    FIRST,
    PLACE,
    QUALIFICATION,
    QUALIFIES,
    RANKED,
    Outcome,
    Share,
    Single,
    assess,
)
from recognition.review.robustness import ranking as in_a_ranking
from recognition.review.robustness.panel import before_announcing
from recognition.review.robustness.reading import places_of

ACCRA, BERGEN, CORK = 1, 2, 3
R1, R2, R3, DEV = 11, 12, 13, 14
DECIDED_BY_DEV = {
    ACCRA: {R1: 7, R2: 8, DEV: 10},
    BERGEN: {R1: 8, R2: 8, R3: 7},
    CORK: {R1: 5, R2: 6, R3: 5},
}
NOT_DECIDED_BY_DEV = {**DECIDED_BY_DEV, ACCRA: {R1: 9, R2: 9, DEV: 10}}


def score_rows(table, programme_id: str = "sasakawa_award") -> list[ScoreRow]:
    """Rows as ``submitted_scores`` reads them: ``table`` is nomination -> reviewer -> one
    score for every criterion, or a dict criterion -> score (others score 2)."""
    criteria = [c.id for c in programme(programme_id).rubric.criteria]
    rows = []
    for nomination_id, reviews in table.items():
        for reviewer_id, values in reviews.items():
            if isinstance(values, int):
                values = dict.fromkeys(criteria, values)
            rows += [ScoreRow(nomination_id, reviewer_id, c, values.get(c, 2)) for c in criteria]
    return rows


def sasakawa(table, **outcome):
    rubric = programme("sasakawa_award").rubric
    return assess(score_rows(table), rubric, Outcome(RANKED, **outcome))


# -- who ranks first ---------------------------------------------------------------------------


def test_a_laureate_decided_by_one_reviewer_is_flagged(app):
    verdict = sasakawa(DECIDED_BY_DEV, places=1)
    assert not verdict.robust
    assert verdict.holding == (ACCRA,) and verdict.first == ACCRA and not verdict.decided
    lost, gained = verdict.hinges
    assert (lost.nomination_id, lost.reviewer_id, lost.stake, lost.holds) == (
        ACCRA,
        DEV,
        PLACE,
        True,
    )
    assert lost.margin == pytest.approx(10 / 3)
    assert lost.without == pytest.approx(37.5)
    # Bergen would take the place: by as much as it is behind now.
    assert (gained.nomination_id, gained.reviewer_id, gained.holds) == (BERGEN, DEV, False)
    assert gained.margin == pytest.approx(10 / 3)


def test_a_laureate_ahead_without_any_one_reviewer_is_robust(app):
    verdict = sasakawa(NOT_DECIDED_BY_DEV, places=1)
    assert verdict.robust
    assert verdict.hinges == () and verdict.single == ()
    # Accra's lowest review (9 each: 45) beats Bergen's highest (8 each: 40): always first.
    assert verdict.shares == (Share(ACCRA, PLACE, 1.0),)


def test_a_decided_laureate_is_weighed_the_same(app):
    verdict = sasakawa(
        DECIDED_BY_DEV, recognised=frozenset({ACCRA}), refused=frozenset({BERGEN, CORK})
    )
    assert verdict.decided and verdict.unbacked == ()
    assert [(h.nomination_id, h.reviewer_id, h.holds) for h in verdict.hinges] == [
        (ACCRA, DEV, True),
        (BERGEN, DEV, False),
    ]
    robust = sasakawa(
        NOT_DECIDED_BY_DEV, recognised=frozenset({ACCRA}), refused=frozenset({BERGEN, CORK})
    )
    assert robust.robust


def test_a_decision_against_the_ranking_is_counted_not_assessed(app):
    """Cork recognised although it ranks last: the scores do not back it, whoever is left
    out. (Bergen's refusal is backed, and hinges on DEV.)"""
    verdict = sasakawa(DECIDED_BY_DEV, recognised=frozenset({CORK}), refused=frozenset({BERGEN}))
    assert verdict.unbacked == (CORK,)
    assert [(h.nomination_id, h.holds) for h in verdict.hinges] == [(BERGEN, False)]


def test_the_total_without_the_reviewer_is_the_aggregate_of_the_other_reviews(app):
    rows = score_rows(DECIDED_BY_DEV)
    without = [r for r in rows if r.reviewer_id != DEV]
    reference = aggregate(programme("sasakawa_award"), without, 2.0)
    hinge = sasakawa(DECIDED_BY_DEV).hinges[0]
    assert hinge.without == reference[ACCRA].weighted_total


def test_first_place_is_weighed_beside_the_places(app):
    """Two places: without DEV, Accra and Bergen keep them, but Bergen ranks first."""
    verdict = sasakawa(DECIDED_BY_DEV, places=2)
    assert verdict.holding == (ACCRA, BERGEN)
    assert [(h.nomination_id, h.stake, h.holds) for h in verdict.hinges] == [
        (ACCRA, FIRST, True),
        (BERGEN, FIRST, False),
    ]
    assert {s.stake for s in verdict.shares} == {PLACE, FIRST}


def test_a_laureate_with_a_single_review_rests_on_it(app):
    verdict = sasakawa({**DECIDED_BY_DEV, ACCRA: {DEV: 10}}, places=1)
    assert verdict.single == (Single(ACCRA, DEV, PLACE),)
    assert verdict.hinges == ()
    assert not verdict.robust


def test_nominations_out_of_contention_are_left_out(app):
    verdict = sasakawa(DECIDED_BY_DEV, places=1, excluded=frozenset({ACCRA}))
    assert verdict.first == BERGEN and verdict.assessed == 2
    assert verdict.robust


# -- a qualification ---------------------------------------------------------------------------


def essentials(values: dict[int, int]) -> dict[str, int]:
    """Role Model City scores: Essential number -> score (every other criterion 2)."""
    return {f"essential_{number}": value for number, value in values.items()}


STRONG_FOUR = {1: 4, 2: 4, 3: 4, 4: 4}
HARSH = 15
QUALIFYING = {
    # Essential 5's mean is 4 (3, 5, 4): DEV's 5 makes it an area of strength, the fifth.
    ACCRA: {
        R1: essentials({**STRONG_FOUR, 5: 3}),
        DEV: essentials({**STRONG_FOUR, 5: 5}),
        R3: essentials({**STRONG_FOUR, 5: 4}),
    },
    # Essential 5's mean is 3 (4, 1, 4): without the harsh reviewer, 4.
    BERGEN: {
        R1: essentials({**STRONG_FOUR, 5: 4}),
        HARSH: essentials({**STRONG_FOUR, 5: 1}),
        R3: essentials({**STRONG_FOUR, 5: 4}),
    },
    # Six Essentials scored 5 by everyone.
    CORK: {r: essentials(dict.fromkeys(range(1, 7), 5)) for r in (R1, R2, R3)},
}


def role_model(table, **outcome):
    rubric = programme("role_model_city").rubric
    rows = score_rows(table, "role_model_city")
    return assess(rows, rubric, Outcome(QUALIFIES, **outcome))


def test_a_qualification_that_hinges_on_one_reviewer_is_flagged(app):
    verdict = role_model(QUALIFYING)
    assert verdict.holding == (ACCRA, CORK)
    assert [
        (h.nomination_id, h.reviewer_id, h.stake, h.holds, h.without, h.areas)
        for h in verdict.hinges
    ] == [
        (ACCRA, DEV, QUALIFICATION, True, 4, 0),
        (BERGEN, HARSH, QUALIFICATION, False, 5, -1),
    ]
    # Accra's fifth Essential sits on the threshold; Bergen's is a point below it.
    assert [h.margin for h in verdict.hinges] == [pytest.approx(0), pytest.approx(1)]
    shares = {s.nomination_id: s.share for s in verdict.shares}
    assert shares[CORK] == 1.0 and 0 < shares[ACCRA] < 1


def test_a_qualification_with_every_essential_clear_is_robust(app):
    verdict = role_model({CORK: QUALIFYING[CORK]})
    assert verdict.robust


def test_a_recognition_without_the_qualification_is_counted_not_assessed(app):
    verdict = role_model(QUALIFYING, recognised=frozenset({BERGEN}))
    assert BERGEN in verdict.unbacked
    assert all(h.nomination_id != BERGEN for h in verdict.hinges)


# -- the bootstrap -----------------------------------------------------------------------------


def test_the_bootstrap_gives_the_same_shares_every_time(app):
    first, again = sasakawa(DECIDED_BY_DEV), sasakawa(DECIDED_BY_DEV)
    assert first == again
    [share] = first.shares
    # Accra's reviews total 35, 40 and 50, Bergen's 40, 40 and 35: Accra stays ahead in
    # 84.9 % of all the resamples of three reviews each.
    assert share.nomination_id == ACCRA and share.share == pytest.approx(0.849, abs=0.05)
    assert first.resamples == 200


def random_call(size: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    table = {}
    for n in range(1, size + 1):
        quality = rng.uniform(2, 8)
        reviewers = rng.sample(range(1000, 1000 + size // 10), 3)
        table[n] = {
            r: {
                c: max(0, min(10, round(rng.gauss(quality, 1.5))))
                for c in ("concrete_results", "agent_of_change", "acting_ahead", "sustainability")
            }
            for r in reviewers
        }
    return table


def test_the_bootstrap_makes_fewer_resamples_beyond_its_budget(app):
    rubric = programme("sasakawa_award").rubric
    rows = score_rows(random_call(600))
    assert assess(rows, rubric, Outcome(RANKED, places=25), work=10).resamples == (FEWEST_RESAMPLES)
    assert assess(rows, rubric, Outcome(RANKED, places=25)).resamples == 200


def test_drawing_only_the_nominations_near_the_cut_off_changes_no_share(app, monkeypatch):
    """Nominations whose bounds keep them on one side of the cut-off change no resample's
    places: the shares are those of drawing every nomination (up to the resampling noise,
    the draws being others)."""
    rubric = programme("sasakawa_award").rubric
    rows = score_rows(random_call(300, seed=3))
    near = assess(rows, rubric, Outcome(RANKED, places=5))
    assert sorted(s.stake for s in near.shares) == [FIRST] + [PLACE] * 5
    assert any(0 < s.share < 1 for s in near.shares)
    monkeypatch.setattr(
        in_a_ranking, "_contenders", lambda bounds, _complete, _m: (set(), set(bounds))
    )
    every = assess(rows, rubric, Outcome(RANKED, places=5))
    by = {(s.nomination_id, s.stake): s.share for s in every.shares}
    for share in near.shares:
        assert share.share == pytest.approx(by[(share.nomination_id, share.stake)], abs=0.15)


# -- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def laureate_call(db):
    """A Sasakawa call under review, scored as DECIDED_BY_DEV (``robust``: as
    NOT_DECIDED_BY_DEV), with a secretariat officer."""

    def make(table=DECIDED_BY_DEV, state="reviewing", decided: bool = False):
        call = factories.make_call(
            programme_id="sasakawa_award", state=state, announcement={"en": "Our laureate."}
        )
        people = {
            R1: factories.make_reviewer(name="Ana Reviewer"),
            R2: factories.make_reviewer(name="Ben Reviewer"),
            R3: factories.make_reviewer(name="Chloé Reviewer"),
            DEV: factories.make_reviewer(name="Dev Decider"),
        }
        for number, name in ((ACCRA, "Accra"), (BERGEN, "Bergen"), (CORK, "Cork")):
            nomination_state = "under_review"
            extra = {}
            if decided:
                nomination_state = "recognised" if number == ACCRA else "not_recognised"
                extra = {"award_level": "laureate"} if number == ACCRA else {}
            nomination = factories.make_nomination(
                call=call,
                city=factories.make_city(name=name),
                state=nomination_state,
                **extra,
            )
            for reviewer, value in table[number].items():
                assignment = factories.make_assignment(nomination, people[reviewer])
                submit_scores(assignment, value)
        officer = factories.make_secretariat(email="officer@secretariat.example")
        db.session.commit()
        return call, officer, people

    return make


def panel_of(html: str) -> str:
    found = re.search(
        r'<section class="card mb-4" aria-labelledby="robustness-heading".*?</section>', html, re.S
    )
    assert found, "no robustness panel on the page"
    return found.group(0)


def test_the_ranking_names_the_reviewer_a_laureate_hinges_on(laureate_call, login_as):
    call, officer, _people = laureate_call()
    html = text(login_as(officer).get(f"/secretariat/calls/{call.id}/ranking"))
    panel = panel_of(html)
    assert '<h2 class="h4" id="robustness-heading">Robustness</h2>' in panel
    assert "The outcomes of 2 nominations hinge on one reviewer." in panel
    accra = re.search(r'<tr><th scope="row" dir="auto">Accra</th>(.*?)</tr>', panel).group(1)
    assert "<td>Ranks first</td>" in accra
    assert '<td dir="auto">Dev Decider</td>' in accra
    assert "No longer ranks first (total 37.50)" in accra
    assert '<td class="text-end">3.33</td>' in accra


def test_the_ranking_says_robust(laureate_call, login_as):
    call, officer, _people = laureate_call(NOT_DECIDED_BY_DEV)
    panel = panel_of(text(login_as(officer).get(f"/secretariat/calls/{call.id}/ranking")))
    assert ">robust</span>" in panel
    assert "Robust: without any one reviewer&#39;s scores, the same nomination ranks first." in (
        panel
    )
    assert "Dev Decider" not in panel


def test_a_second_view_reads_the_kept_verdict_until_a_review_moves(db, laureate_call, login_as):
    call, officer, _people = laureate_call()
    client = login_as(officer)
    address = f"/secretariat/calls/{call.id}/ranking"
    assert "hinge on one reviewer" in text(client.get(address))
    # Scores changed behind the engine's back are not seen while nothing moved the round on.
    db.session.execute(sa.text("UPDATE scores SET value = 9 WHERE value = 7"))
    db.session.commit()
    assert "hinge on one reviewer" in text(client.get(address))
    kept = db.session.get(KeptRound, (call.id, "review"))
    kept.generation += 1  # as a review counted or uncounted moves it
    db.session.commit()
    assert ">robust</span>" in text(client.get(address))


def test_the_announcement_s_confirmation_says_the_laureate_hinges_on_one_reviewer(
    laureate_call, login_as
):
    call, officer, _people = laureate_call(state="decided", decided=True)
    html = text(login_as(officer).get(f"/workflow/call/{call.id}/announce"))
    assert "Robustness, on the scores of the round “Technical evaluation”:" in html
    assert "The outcomes of 2 nominations hinge on one reviewer." in html
    rows = re.findall(r'<tr><th scope="row" dir="auto">([^<]+)</th><td>([^<]+)</td></tr>', html)
    assert (
        "Accra",
        "Recognised. Without the scores of Dev Decider: Falls below the cut-off (total 37.50). "
        "Margin: 3.33.",
    ) in rows
    # Accra's reviews total 35, 40 and 50, Bergen's 40, 40 and 35: Accra stays ahead in
    # 84.9 % of all resamples of three, in 167 of the 200 drawn.
    assert ("Accra", "Recognised: 83.5%") in rows


def test_the_announcement_s_confirmation_says_robust(laureate_call, login_as):
    call, officer, _people = laureate_call(NOT_DECIDED_BY_DEV, state="decided", decided=True)
    html = text(login_as(officer).get(f"/workflow/call/{call.id}/announce"))
    assert (
        "Robust: without any one reviewer&#39;s scores, the ranking still backs every "
        "recognition and the same nomination ranks first."
    ) in html


def test_reviewers_are_named_only_to_those_who_run_the_call(app, laureate_call):
    call, _officer, people = laureate_call(state="decided", decided=True)
    with app.test_request_context():
        login_user(people[R1])
        said = before_announcing(call)
    [hinges] = [c for c in said if c.text.startswith("Outcomes that hinge on one reviewer")]
    assert all("Dev Decider" not in what for _name, what in hinges.rows)
    assert "Without the scores of a reviewer:" in dict(hinges.rows)["Accra"]


def test_a_call_without_reviews_has_nothing_to_weigh(db, login_as):
    call = factories.make_call(state="decided", announcement={"en": "None yet."})
    officer = factories.make_secretariat()
    db.session.commit()
    html = text(login_as(officer).get(f"/workflow/call/{call.id}/announce"))
    assert "Robustness: no review is submitted in this call; there is nothing to weigh." in html


def test_the_places_come_from_the_quotas_of_the_highest_levels(db):
    call = factories.make_call(programme_id="sasakawa_award")
    assert places_of(call) == 1  # one Laureate; distinctions have no quota
    call.laureates_max = 2
    assert places_of(call) == 2
    assert places_of(factories.make_call(programme_id="role_model_city")) == 1
