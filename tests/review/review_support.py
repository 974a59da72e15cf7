"""Helpers for the review tests: rubrics, score rows and scoring-form data."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app

from recognition.extensions import db
from recognition.review.models import Score
from recognition.timeutil import utcnow


def programme(programme_id: str = "role_model_city"):
    return current_app.extensions["programmes"][programme_id]


def criteria(programme_id: str = "role_model_city") -> list:
    return list(programme(programme_id).rubric.criteria)


def add_scores(assignment, values, comment: str = "") -> None:
    """Give ``assignment`` a Score row per criterion: ``values`` is one int for every
    criterion, or a dict criterion id -> value (criteria left out get no row)."""
    rubric = assignment.nomination.programme.rubric
    if isinstance(values, int):
        values = {c.id: values for c in rubric.criteria}
    for criterion_id, value in values.items():
        assignment.scores.append(Score(criterion=criterion_id, value=value, comment=comment))
    db.session.flush()


def submit_scores(assignment, values, recommendation: str = "recommend") -> None:
    """Scores, a recommendation and the submitted state, as a finished review leaves them."""
    add_scores(assignment, values)
    assignment.recommendation = recommendation
    assignment.state = "submitted"
    assignment.submitted_at = utcnow()
    db.session.flush()


def form_data(
    programme_id: str = "role_model_city",
    value: int | None = 3,
    action: str = "save",
    **extra,
) -> dict[str, str]:
    """A scoring form as a browser sends it: every criterion scored ``value`` (None: unscored)."""
    data = {"action": action, "recommendation": "recommend"}
    for c in criteria(programme_id):
        if value is not None:
            data[f"score_{c.id}"] = str(value)
        data[f"comment_{c.id}"] = f"Comment on {c.id}"
    data.update(extra)
    return data


def fire_url(assignment, transition: str) -> str:
    """The state menu's address for a transition of an assignment."""
    return f"/workflow/review/{assignment.id}/{transition}"


def text(response) -> str:
    return response.get_data(as_text=True)


def checked(page: str, name: str, value: str) -> bool:
    """Whether the page has the radio button ``name`` = ``value`` checked."""
    for tag in re.findall(r"<input [^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"no radio button {name}={value} on the page")


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def move_nomination(nomination, state: str, decider) -> None:
    """Put a nomination in ``state``, with the decider a decided state needs."""
    if state in ("recognised", "not_recognised", "announced"):
        nomination.decided_by_id = decider.id
        nomination.decided_at = utcnow()
    nomination.state = state


def page_queries(client, url: str) -> int:
    """How many SQL statements one page costs (the page must answer 200)."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)
