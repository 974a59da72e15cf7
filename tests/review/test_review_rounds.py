"""Review rounds: the Sasakawa Award's technical evaluation, longlist and jury.

Scores are aggregated per round (one round's scores never enter another's results), a round
takes at most its places (``enters: {top: N}``), the secretariat takes the best of a round's
ranking to the next from the ranking page, and the decision shows every round's results.
"""

from __future__ import annotations

import re
from pathlib import Path

import factories
import pytest
import sqlalchemy as sa
from flask import current_app
from review_support import submit_scores

from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.programmes.definition import load_programme, parse_programme
from recognition.review.aggregation import aggregate_call, aggregate_nomination, reviews_complete
from recognition.review.rounds import entered, places, round_of, rounds_reached
from recognition.workflow.definition import DefinitionError
from recognition.workflow.engine import ConditionNotMet, fire


def sasakawa():
    return current_app.extensions["programmes"]["sasakawa_award"]


def make_nominee(call, name: str, state: str = "under_review"):
    city = factories.make_city(name=name)
    return factories.make_nomination(call=call, city=city, state=state)


def scored(nomination, value: int, round_id: str = "review", reviewer=None):
    """A submitted review of the nomination in the round, every criterion ``value``."""
    assignment = factories.make_assignment(
        nomination, reviewer or factories.make_reviewer(), state="submitted", round=round_id
    )
    submit_scores(assignment, value)
    return assignment


@pytest.fixture
def award(db):
    return factories.make_call(programme_id="sasakawa_award", state="reviewing")


# -- the definition ------------------------------------------------------------------------


def test_sasakawa_declares_three_rounds_with_their_places_and_criteria(app):
    rounds = sasakawa().rounds
    assert [r.id for r in rounds] == ["review", "longlist", "jury"]
    assert [(r.enters, r.enters_count) for r in rounds] == [
        ("all", None),
        ("top", 10),
        ("top", 3),
    ]
    assert [r.panel for r in rounds] == ["pool", "pool", "jury"]
    longlist = rounds[1].rubric.criteria
    assert [(c.id, c.weight) for c in longlist] == [
        ("concrete_results", 2.0),
        ("acting_ahead", 1.0),
        ("sustainability", 2.0),
    ]


def test_a_programme_without_rounds_has_one_over_every_review_state(app):
    raw = load_programme(
        Path(current_app.config["RECOGNITION_ROOT"]) / "programmes" / "role_model_city.yaml"
    )
    assert len(raw.rounds) == 2  # review and shortlist, as role_model_city.yaml declares
    from recognition.yamlload import load_yaml

    data = load_yaml(
        Path(current_app.config["RECOGNITION_ROOT"]) / "programmes" / "role_model_city.yaml"
    )
    del data["rounds"]
    folder = Path(current_app.config["RECOGNITION_ROOT"]) / "programmes"
    programme = parse_programme(data, "role_model_city.yaml", folder)
    [only] = programme.rounds
    assert only.id == "review" and only.states == ()
    assert only.rubric == programme.rubric


@pytest.mark.parametrize(
    ("rounds", "key", "message"),
    [
        (
            [{"id": "a", "title": "A", "state": "under_review", "enters": {"top": 3}}],
            "rounds[0].enters",
            "the first round",
        ),
        (
            [
                {"id": "a", "title": "A", "state": "under_review"},
                {
                    "id": "b",
                    "title": "B",
                    "state": "longlisted",
                    "enters": {"top": 0},
                    "via": "longlist",
                },
            ],
            "rounds[1].enters.top",
            "a positive number",
        ),
        (
            [
                {"id": "a", "title": "A", "state": "under_review"},
                {"id": "b", "title": "B", "state": "longlisted"},
            ],
            "rounds[1].via",
            "the transition",
        ),
        (
            [{"id": "a", "title": "A", "state": "under_review", "criteria": {"nonsense": 1}}],
            "rounds[0].criteria.nonsense",
            "not a criterion",
        ),
        (
            [{"id": "a", "title": "A", "state": "under_review", "panel": "crowd"}],
            "rounds[0].panel",
            "one of pool, jury",
        ),
    ],
)
def test_a_wrong_round_is_named_with_its_key(app, rounds, key, message):
    from recognition.yamlload import load_yaml

    data = load_yaml(
        Path(current_app.config["RECOGNITION_ROOT"]) / "programmes" / "sasakawa_award.yaml"
    )
    data["rounds"] = rounds
    with pytest.raises(DefinitionError) as caught:
        parse_programme(
            data, "sasakawa_award.yaml", Path(current_app.config["RECOGNITION_ROOT"]) / "programmes"
        )
    assert any(k == key and message in m for _f, k, m in caught.value.problems), (
        caught.value.problems
    )


# -- which round ----------------------------------------------------------------------------


def test_a_nomination_is_in_the_round_of_its_state(award):
    first = make_nominee(award, "Lima")
    assert round_of(first).id == "review"
    second = make_nominee(award, "Quito", state="longlisted")
    assert round_of(second).id == "longlist"
    draft = make_nominee(award, "Cusco", state="draft")
    assert round_of(draft) is None


# -- aggregation per round -------------------------------------------------------------------


def test_scores_of_one_round_never_enter_another_rounds_results(award):
    lima = make_nominee(award, "Lima", state="longlisted")
    scored(lima, 5, "review")
    scored(lima, 1, "longlist")
    technical = aggregate_nomination(lima, "review")
    longlist = aggregate_nomination(lima, "longlist")
    assert technical.reviews == 1 and longlist.reviews == 1
    assert {c.mean for c in technical.criteria.values()} == {5}
    assert {c.mean for c in longlist.criteria.values()} == {1}
    # The longlist scores only its own criteria, with its own weights.
    assert set(longlist.criteria) == {"concrete_results", "acting_ahead", "sustainability"}
    assert longlist.weighted_total == pytest.approx(2 * 1 + 1 * 1 + 2 * 1)
    assert technical.weighted_total == pytest.approx(2 * 5 + 5 + 5 + 5)
    # The whole call's ranking, round by round, agrees.
    assert aggregate_call(award, "review")[lima.id].weighted_total == technical.weighted_total
    assert aggregate_call(award, "longlist")[lima.id].weighted_total == longlist.weighted_total


def test_normalisation_reads_only_the_rounds_scores(award):
    """A harsh reviewer of the technical round does not move the longlist's normalisation."""
    harsh = factories.make_reviewer()
    lima, quito = (
        make_nominee(award, "Lima", "longlisted"),
        make_nominee(award, "Quito", "longlisted"),
    )
    for nomination in (lima, quito):
        scored(nomination, 0, "review", reviewer=harsh)
    scored(lima, 4, "longlist")
    scored(quito, 2, "longlist")
    before = aggregate_call(award, "longlist")
    # More harsh technical scores change nothing in the longlist.
    scored(make_nominee(award, "Cusco"), 0, "review", reviewer=harsh)
    after = aggregate_call(award, "longlist")
    assert {i: r.normalised_total for i, r in before.items()} == {
        i: r.normalised_total for i, r in after.items()
    }


def test_reviews_complete_counts_the_rounds_reviews_only(award):
    lima = make_nominee(award, "Lima", state="longlisted")
    scored(lima, 4, "review")
    assert reviews_complete(lima, "review")
    assert not reviews_complete(lima, "longlist")  # nobody reviewed it in the longlist yet
    factories.make_assignment(lima, state="accepted", round="longlist")
    assert not reviews_complete(lima, "longlist")


# -- entering a round -------------------------------------------------------------------------


def test_the_longlist_takes_ten_and_refuses_the_eleventh(award):
    officer = factories.make_secretariat()
    nominations = [make_nominee(award, f"City {i}") for i in range(11)]
    for nomination in nominations[:10]:
        fire(nomination, "longlist", officer)
    assert entered(award.id, sasakawa().round("longlist")) == 10
    assert places(award, sasakawa().round("longlist")) == 10
    with pytest.raises(ConditionNotMet) as caught:
        fire(nominations[10], "longlist", officer)
    assert "takes 10 nominations" in str(caught.value.message)
    assert nominations[10].state == "under_review"


def test_the_jury_takes_three(award):
    officer = factories.make_secretariat()
    nominations = [make_nominee(award, f"City {i}", state="longlisted") for i in range(4)]
    for nomination in nominations[:3]:
        fire(nomination, "shortlist", officer)
    with pytest.raises(ConditionNotMet):
        fire(nominations[3], "shortlist", officer)


def test_a_programme_without_the_round_refuses_its_transition(db):
    call = factories.make_call(programme_id="role_model_city", state="reviewing")
    nomination = make_nominee(call, "Lyon")
    with pytest.raises(ConditionNotMet) as caught:
        fire(nomination, "longlist", factories.make_secretariat())
    assert "has no such round" in str(caught.value.message)


def test_the_rounds_reached_follow_the_history(award):
    officer = factories.make_secretariat()
    lima = make_nominee(award, "Lima")
    fire(lima, "longlist", officer)
    fire(lima, "shortlist", officer)
    assert [r.id for r in rounds_reached(lima)] == ["review", "longlist", "jury"]


# -- the ranking and the way to the next round ------------------------------------------------


def test_the_ranking_preselects_the_best_up_to_the_next_rounds_places(award, client, login_as):
    officer = factories.make_secretariat()
    nominations = []
    for i in range(12):
        nomination = make_nominee(award, f"City {i:02d}")
        scored(nomination, i % 6)
        nominations.append(nomination)
    _db.session.commit()
    login_as(officer)
    html = client.get(f"/secretariat/calls/{award.id}/ranking?round=review").get_data(as_text=True)
    checked = set(map(int, re.findall(r'name="ids" value="(\d+)"[^>]*checked', html)))
    boxes = set(map(int, re.findall(r'name="ids" value="(\d+)"', html)))
    assert boxes == {n.id for n in nominations}
    assert len(checked) == 10
    # The two left out are among the lowest scored.
    left_out = {n.id for n in nominations} - checked
    assert all(nominations[i].id not in checked for i in (0, 6)) and len(left_out) == 2
    assert "Take the selected to the round “Longlist”" in html


def test_taking_the_selected_to_the_next_round_fires_the_rounds_transition(award, client, login_as):
    officer = factories.make_secretariat()
    nominations = [make_nominee(award, f"City {i}") for i in range(3)]
    _db.session.commit()
    login_as(officer)
    response = client.post(
        "/secretariat/bulk/longlist",
        data={"ids": [n.id for n in nominations[:2]], "comment": "Best two"},
    )
    assert response.status_code == 200
    states = dict(_db.session.execute(sa.select(Nomination.id, Nomination.state)).all())
    assert [states[n.id] for n in nominations] == ["longlisted", "longlisted", "under_review"]


def test_the_longlist_ranking_shows_only_the_longlisted_and_their_longlist_scores(
    award, client, login_as
):
    officer = factories.make_secretariat()
    inside = make_nominee(award, "Inside")
    outside = make_nominee(award, "Outside")
    fire(inside, "longlist", officer)
    scored(inside, 1, "longlist")
    scored(inside, 5, "review")
    scored(outside, 5, "review")
    _db.session.commit()
    login_as(officer)
    html = client.get(f"/secretariat/calls/{award.id}/ranking?round=longlist").get_data(
        as_text=True
    )
    assert ">Inside</a>" in html and ">Outside</a>" not in html
    # The longlist's weighted total: 2·1 + 1·1 + 2·1, never the technical 5s.
    assert "<td>5.00</td>" in html


def test_the_decision_shows_every_rounds_result(award, client, login_as):
    officer = factories.make_secretariat()
    lima = make_nominee(award, "Lima")
    scored(lima, 5, "review")
    fire(lima, "longlist", officer)
    scored(lima, 2, "longlist")
    _db.session.commit()
    login_as(officer)
    html = client.get(f"/nominations/{lima.id}").get_data(as_text=True)
    assert "Results of each review round" in html
    assert "1. Technical evaluation" in html and "2. Longlist" in html
    assert "<td>25.00" in html  # 2·5 + 5 + 5 + 5
    assert "<td>10.00" in html  # 2·2 + 1·2 + 2·2


# -- the dashboard: deadlines and the jury ------------------------------------------------------


def test_the_secretariat_sets_a_rounds_deadline_and_its_jury(award, client, login_as):
    officer = factories.make_secretariat()
    juror = factories.make_reviewer(name="Juror One")
    _db.session.commit()
    login_as(officer)
    response = client.post(
        f"/secretariat/calls/{award.id}/rounds/jury/deadline", data={"deadline": "2027-03-31T18:00"}
    )
    assert response.status_code == 303
    client.post(
        f"/secretariat/calls/{award.id}/rounds/jury/jury",
        data={"user_id": juror.id, "action": "add"},
    )
    html = client.get(f"/secretariat/calls/{award.id}/dashboard").get_data(as_text=True)
    assert 'value="2027-03-31T18:00"' in html
    assert "Take Juror One off the jury" in html
    from recognition.review.rounds import jurors, review_deadline

    assert [u.id for u in jurors(award.id, "jury")] == [juror.id]
    assert review_deadline(award, "jury") != award.review_deadline
    assert review_deadline(award, "review") == award.review_deadline


def test_only_a_reviewer_joins_a_jury_and_only_a_jury_round_has_one(award, client, login_as):
    officer = factories.make_secretariat()
    stranger = factories.make_user()
    _db.session.commit()
    login_as(officer)
    client.post(f"/secretariat/calls/{award.id}/rounds/jury/jury", data={"user_id": stranger.id})
    from recognition.review.rounds import jurors

    assert jurors(award.id, "jury") == []
    response = client.post(f"/secretariat/calls/{award.id}/rounds/review/jury", data={"user_id": 1})
    assert response.status_code == 404


def test_a_city_cannot_touch_the_rounds(award, client, login_as):
    focal = factories.make_focal_point()
    _db.session.commit()
    login_as(focal)
    response = client.post(
        f"/secretariat/calls/{award.id}/rounds/jury/deadline", data={"deadline": "2027-03-31T18:00"}
    )
    assert response.status_code == 403
