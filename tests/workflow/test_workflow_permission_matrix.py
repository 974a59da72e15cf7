"""Every cell of nomination.yaml's permission map, checked through can().

The cells are generated from the YAML: for each state, permission and kind of user, can()
must answer what the state's permission -> roles map says for the roles that user holds.

The 700 cells share one world, built once for the module inside a transaction that is rolled
back at the end: nothing is committed, so the database is as clean afterwards as before. No
test in this module may use the ``app`` fixture (its clean-up would wait on that transaction).
"""

from __future__ import annotations

import factories
import pytest
from workflow_support import DEFINITIONS, EFFECTIVE_ROLES, ROLES, make_user_with_role

from recognition.extensions import db
from recognition.workflow.security import can, roles_for

NOMINATION = DEFINITIONS["nomination"]


@pytest.fixture(scope="module")
def world(_app):
    """One nomination per state, and per state one user of each kind, never committed."""
    ctx = _app.app_context()
    ctx.push()
    try:
        nominations = {state: factories.make_nomination(state=state) for state in NOMINATION.states}
        users = {
            (state, role): make_user_with_role("nomination", role, nominations[state])
            for state in NOMINATION.states
            for role in ROLES["nomination"]
        }
        yield nominations, users
    finally:
        db.session.rollback()
        db.session.remove()
        ctx.pop()


CELLS = [
    pytest.param(state, permission, role, id=f"{state}-{permission}-{role}")
    for state in NOMINATION.states
    for permission in NOMINATION.permissions
    for role in ROLES["nomination"]
]


@pytest.mark.parametrize(("state", "permission", "role"), CELLS)
def test_permission_matrix(world, state, permission, role):
    nominations, users = world
    nomination, user = nominations[state], users[(state, role)]
    assert roles_for(user, nomination) == EFFECTIVE_ROLES[role]
    expected = not NOMINATION.states[state].roles_with(permission).isdisjoint(EFFECTIVE_ROLES[role])
    assert can(user, permission, nomination) is expected
