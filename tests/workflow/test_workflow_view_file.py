"""``view`` and ``view_file`` in nomination.yaml: public means a projection.

``view`` opens a nomination's page; once announced everyone holds it, and sees the public
projection. ``view_file`` is the whole nomination (every answer and file, the history, the
reviewers' comments for the city): only the city, its assigned reviewers and the secretariat
ever hold it, in the states where they view the nomination.
"""

from __future__ import annotations

import factories
import pytest
from flask_login import AnonymousUserMixin
from workflow_support import DEFINITIONS

from recognition.workflow.security import can

NOMINATION = DEFINITIONS["nomination"]
STATES = list(NOMINATION.states)

#: Who may ever see a nomination's whole file.
WHOLE_FILE_ROLES = {"owner", "assigned_reviewer", "secretariat", "admin"}


@pytest.mark.parametrize("state", STATES)
def test_only_the_city_its_reviewers_and_the_secretariat_hold_view_file(state):
    assert "view_file" in NOMINATION.permissions
    assert NOMINATION.states[state].roles_with("view_file") <= WHOLE_FILE_ROLES


@pytest.mark.parametrize("state", STATES)
def test_those_who_viewed_a_nomination_before_it_was_public_keep_its_whole_file(state):
    """The whole file stays with those who view the page, and where the page is public with
    the city, its reviewers and the secretariat: no one loses what they saw before."""
    state_def = NOMINATION.states[state]
    viewers = state_def.roles_with("view")
    if "anonymous" in viewers:
        assert state_def.roles_with("view_file") == WHOLE_FILE_ROLES
    else:
        assert state_def.roles_with("view_file") == viewers


def test_a_public_state_is_a_projection_not_the_whole_file():
    public = [s for s in NOMINATION.states.values() if "public" in s.tags]
    assert public
    for state in public:
        assert "anonymous" in state.roles_with("view")
        assert state.roles_with("view_file") == WHOLE_FILE_ROLES


@pytest.mark.parametrize("who", ["anonymous", "stranger", "another city", "unassigned reviewer"])
def test_the_public_views_an_announced_nomination_but_not_its_file(rolled_back_app, who):
    nomination = factories.make_nomination(state="announced")
    user = {
        "anonymous": lambda: AnonymousUserMixin(),
        "stranger": factories.make_user,
        "another city": factories.make_focal_point,
        "unassigned reviewer": factories.make_reviewer,
    }[who]()
    assert can(user, "view", nomination)
    assert not can(user, "view_file", nomination)


@pytest.mark.parametrize("who", ["owner", "assigned reviewer", "secretariat"])
def test_the_city_its_reviewer_and_the_secretariat_keep_the_file_once_announced(
    rolled_back_app, who
):
    nomination = factories.make_nomination(state="announced")
    user = {
        "owner": lambda: factories.make_focal_point(city=nomination.city),
        "assigned reviewer": lambda: (
            factories.make_assignment(nomination, state="submitted").reviewer
        ),
        "secretariat": factories.make_secretariat,
    }[who]()
    assert can(user, "view_file", nomination)
