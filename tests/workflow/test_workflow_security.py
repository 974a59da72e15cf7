"""Who may do what on a nomination: the roles each kind of user holds, the cells of the
permission map that matter most written out, and the SQL filter that lists pages use."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from workflow_support import (
    DEFINITIONS,
    EFFECTIVE_ROLES,
    ROLES,
    make_object,
    make_user_with_role,
)

from recognition.extensions import db
from recognition.workflow.security import SITE, can, permission_clause, roles_for

NOMINATION = DEFINITIONS["nomination"]


@pytest.mark.parametrize(
    ("workflow", "role"),
    [(workflow, role) for workflow, roles in ROLES.items() for role in roles],
)
def test_each_kind_of_user_holds_exactly_its_roles(rolled_back_app, workflow, role):
    obj = make_object(workflow, DEFINITIONS[workflow].initial)
    user = make_user_with_role(workflow, role, obj)
    assert roles_for(user, obj) == EFFECTIVE_ROLES[role]


def test_a_focal_point_cannot_view_another_citys_draft(rolled_back_app):
    mine = factories.make_nomination(state="draft")
    theirs = factories.make_nomination(state="draft")
    focal_point = factories.make_focal_point(city=mine.city)
    assert can(focal_point, "view", mine)
    assert not can(focal_point, "view", theirs)
    assert not can(focal_point, "edit", theirs)


def test_an_assigned_reviewer_cannot_view_a_draft(rolled_back_app):
    nomination = factories.make_nomination(state="draft")
    assignment = factories.make_assignment(nomination, state="accepted")
    assert not can(assignment.reviewer, "view", nomination)


def test_an_assigned_reviewer_views_and_scores_under_review(rolled_back_app):
    nomination = factories.make_nomination(state="under_review")
    reviewer = factories.make_assignment(nomination, state="accepted").reviewer
    assert can(reviewer, "view", nomination)
    assert can(reviewer, "score", nomination)
    assert not can(reviewer, "view_scores", nomination)
    assert not can(reviewer, "decide", nomination)


@pytest.mark.parametrize(
    ("assignment_state", "sees"),
    [
        ("invited", False),
        ("accepted", True),
        ("submitted", True),
        ("reopened", True),
        ("declined", False),
        ("conflicted", False),
        ("withdrawn", False),
    ],
)
def test_only_an_active_assignment_opens_the_nomination(rolled_back_app, assignment_state, sees):
    nomination = factories.make_nomination(state="under_review")
    reviewer = factories.make_assignment(nomination, state=assignment_state).reviewer
    assert can(reviewer, "view", nomination) is sees
    assert can(reviewer, "score", nomination) is sees


def test_a_reviewer_assigned_elsewhere_sees_nothing(rolled_back_app):
    nomination = factories.make_nomination(state="under_review")
    other = factories.make_nomination(state="under_review")
    reviewer = factories.make_assignment(other, state="accepted").reviewer
    assert not can(reviewer, "view", nomination)


@pytest.mark.parametrize("state", list(NOMINATION.states))
def test_anonymous_visitors_see_only_announced_nominations(rolled_back_app, state):
    nomination = factories.make_nomination(state=state)
    visitor = AnonymousUserMixin()
    held = {p for p in NOMINATION.permissions if can(visitor, p, nomination)}
    # Announced recognitions are public, with their certificates, current or past; nothing
    # else is (a revoked one is not).
    public = ("announced", "expiring", "expired", "renewed")
    assert held == ({"view", "certificate"} if state in public else set())


@pytest.mark.parametrize("state", list(NOMINATION.states))
def test_the_city_edits_only_before_submission_and_when_returned(rolled_back_app, state):
    nomination = factories.make_nomination(state=state)
    owner = factories.make_focal_point(city=nomination.city)
    assert can(owner, "edit", nomination) is (state in ("draft", "returned"))
    assert can(owner, "attach", nomination) is (state in ("draft", "returned"))


@pytest.mark.parametrize("role", ROLES["nomination"])
def test_only_the_secretariat_decides(rolled_back_app, role):
    for state in ("under_review", "shortlisted"):
        nomination = factories.make_nomination(state=state)
        user = make_user_with_role("nomination", role, nomination)
        assert can(user, "decide", nomination) is (role == "secretariat")


def test_the_city_never_sees_scores_or_reviewers(rolled_back_app):
    for state in NOMINATION.states:
        nomination = factories.make_nomination(state=state)
        owner = factories.make_focal_point(city=nomination.city)
        assert not can(owner, "view_scores", nomination), state


def test_an_unknown_permission_is_a_programming_error(rolled_back_app):
    nomination = factories.make_nomination()
    with pytest.raises(KeyError, match="nomination.yaml: unknown permission 'delete'"):
        can(factories.make_secretariat(), "delete", nomination)


def test_site_permissions(rolled_back_app):
    officer = factories.make_secretariat()
    reviewer = factories.make_reviewer()
    visitor = AnonymousUserMixin()
    assert can(officer, "run_campaign") and can(officer, "view_workflows")
    assert can(reviewer, "review") and not can(reviewer, "view_workflows")
    assert can(visitor, "register_city") and not can(visitor, "review")
    assert roles_for(visitor, SITE) == {"anonymous"}


@pytest.mark.parametrize("role", ROLES["nomination"])
@pytest.mark.parametrize("permission", ["view", "edit", "score", "certificate"])
def test_the_sql_filter_agrees_with_can(rolled_back_app, role, permission):
    """List pages filter with permission_clause(); it must select what can() allows."""
    from recognition.nominations.models import Nomination

    city = factories.make_city()
    nominations = [factories.make_nomination(state=s, city=city) for s in NOMINATION.states]
    others = [factories.make_nomination(state=s) for s in NOMINATION.states]
    user = make_user_with_role("nomination", role, nominations[0])
    if role == "assigned_reviewer":
        for nomination in nominations[1:]:
            factories.make_assignment(nomination, user, state="accepted")

    allowed = {n.id for n in nominations + others if can(user, permission, n)}
    selected = set(
        db.session.scalars(
            sa.select(Nomination.id).where(permission_clause(Nomination, permission, user))
        )
    )
    assert selected == allowed


def test_remembered_facts_are_read_once_and_forgotten_with_the_roles(app):
    from recognition.workflow.security import forget_roles, remembered

    reads = []
    with app.test_request_context():
        for _ in range(3):
            assert remembered(("facts", 1), lambda: reads.append(1) or {1}) == {1}
        assert len(reads) == 1
        forget_roles()
        remembered(("facts", 1), lambda: reads.append(1) or {1})
        assert len(reads) == 2
