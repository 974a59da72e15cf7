"""Scores read on their scale: the rubric's scale labels beside the options they label, and
every score shown with its scale's top ("7/10")."""

from __future__ import annotations

import re

import factories
import pytest
from review_support import submit_scores, text

from recognition.extensions import db as _db


@pytest.fixture
def sasakawa(db):
    """A Sasakawa Award nomination under review (scale 0–10, labels at 0, 5 and 10), with an
    accepted assignment."""
    call = factories.make_call(programme_id="sasakawa_award", state="reviewing")
    nomination = factories.make_nomination(call=call, state="under_review")
    assignment = factories.make_assignment(nomination, state="accepted")
    db.session.commit()
    return assignment


def _page(client, login_as, assignment) -> str:
    login_as(assignment.reviewer)
    return text(client.get(f"/reviews/{assignment.id}"))


def _label(page: str, criterion: str, value: int) -> str:
    """The text of the label of the option ``value`` of a criterion's score."""
    match = re.search(
        rf'<input[^>]*name="score_{criterion}"[^>]*value="{value}"[^>]*>\s*'
        r'<label class="form-check-label" for="[^"]+">(.*?)</label>',
        page,
        re.S,
    )
    assert match, f"no option {value} for {criterion}"
    return match.group(1)


@pytest.mark.parametrize(
    ("value", "meaning"), [(0, "No evidence"), (5, "Solid achievement"), (10, "Outstanding")]
)
def test_the_scale_labels_stand_beside_the_options_they_label(
    app, client, login_as, sasakawa, value, meaning
):
    page = _page(client, login_as, sasakawa)
    for criterion in ("concrete_results", "agent_of_change", "sustainability"):
        label = _label(page, criterion, value)
        assert label.startswith(f"{value} ")
        assert f">{meaning}</span>" in label


@pytest.mark.parametrize("value", [1, 4, 6, 9])
def test_options_the_scale_does_not_label_show_only_their_number(
    app, client, login_as, sasakawa, value
):
    assert _label(_page(client, login_as, sasakawa), "acting_ahead", value) == str(value)


def test_the_role_model_scale_has_its_own_labels(app, client, login_as, world):
    page = _page(client, login_as, world.assignment)
    assert "Exemplary</span>" in _label(page, "essential_1", 5)
    assert "Solid achievement" not in page


def test_a_submitted_score_is_shown_out_of_ten(app, client, login_as, sasakawa):
    submit_scores(sasakawa, {"concrete_results": 7, "agent_of_change": 10})
    _db.session.commit()
    page = _page(client, login_as, sasakawa)
    mine = page[page.index('<caption class="visually-hidden">Your scores') :]
    assert '<span class="score text-nowrap">7/10</span>' in mine
    assert '<span class="score text-nowrap">10/10</span>' in mine


def test_a_role_model_score_is_shown_out_of_five(app, client, login_as, world):
    submit_scores(world.assignment, 3)
    _db.session.commit()
    page = _page(client, login_as, world.assignment)
    assert '<span class="score text-nowrap">3/5</span>' in page
    assert "3/10" not in page


def test_the_secretariat_panel_shows_scores_out_of_ten(app, client, login_as, sasakawa):
    submit_scores(sasakawa, dict.fromkeys(("concrete_results", "agent_of_change"), 8))
    _db.session.commit()
    officer = factories.make_secretariat()
    _db.session.commit()
    login_as(officer)
    page = text(client.get(f"/nominations/{sasakawa.nomination_id}"))
    table = page[page.index("Scores per criterion") :]
    assert '<span class="score text-nowrap">8.00/10</span>' in table  # the mean
    assert '<span class="score text-nowrap">8/10</span>' in table  # the reviewer's score
