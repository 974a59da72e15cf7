"""Schemathesis against the served OpenAPI description: every operation, with generated
parameters and bodies, valid and not, answers no 5xx and only what the description says
(status codes, content types, documents), anonymously and with a token of each role.

The examples are derived from a fixed seed, so that a run in CI is the run one repeats."""

from __future__ import annotations

import factories
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from recognition import create_app
from recognition.api.operations import create_token
from recognition.extensions import db
from recognition.timeutil import utcnow

METHODS = ("get", "put", "post", "patch", "delete")


def _operations() -> list[tuple[str, str]]:
    """Every operation of the description (read from an app without a database)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SERVER_NAME": None})
    paths = app.test_client().get("/api/openapi.json").json["paths"]
    return [(method, path) for path, item in paths.items() for method in item if method in METHODS]


OPERATIONS = _operations()


@pytest.fixture
def campaign(app):
    """A little of everything the operations read, and a write token per kind of user."""
    announced = factories.make_call(state="announced", cycle="2025", announced_at=utcnow())
    factories.make_nomination(call=announced, state="announced", areas_of_strength=[1, 2])
    focal = factories.make_focal_point()
    factories.make_nomination(city=focal.memberships[0].city)
    reviewer = factories.make_reviewer()
    under_review = factories.make_ready_nomination("under_review")
    factories.make_assignment(under_review, reviewer, state="accepted")
    officer = factories.make_secretariat()
    tokens = [create_token(user, "schema", "write")[1] for user in (focal, reviewer, officer)]
    db.session.commit()
    return [{}] + [{"Authorization": f"Bearer {token}"} for token in tokens]


SETTINGS = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_the_description_lists_every_operation():
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_as_described(app, campaign, method, path):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @SETTINGS
    def answers_as_described(case):
        for headers in campaign:
            case.call_and_validate(headers=headers)

    answers_as_described()
