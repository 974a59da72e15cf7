"""The API refuses what the pages refuse: the permission maps of nomination.yaml and
review.yaml, state by state and role by role, asked once through a page and once through the
API, must get the same answer.

Each kind of user gets two identical objects: one is asked through the page, the other
through the API, so that a transition that moves one leaves its twin for the other side.
"""

from __future__ import annotations

import factories
import pytest
from flask_login import AnonymousUserMixin
from workflow_support import (
    DEFINITIONS,
    ROLES,
    make_assignment,
    make_nomination,
    make_user_with_role,
)

from recognition.api.operations import create_token
from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.review.models import Assignment

NOMINATION = DEFINITIONS["nomination"]
REVIEW = DEFINITIONS["review"]

#: Every API operation, and the page whose refusals it repeats. The public reads show the
#: public pages' projection: tests/api/test_api_public.py holds them to it.
MATCHING_PAGES = {
    "api-public.programmes": "public.recognised",
    "api-public.calls": "programmes.calls",
    "api-public.call": "programmes.call",
    "api-public.recognition_list": "public.recognised",
    "api-public.city": "public.city",
    "api-public.announcement_list": "public.announcements_index",
    "api-public.announcement": "public.announcement",
    "api-nominations.me": "accounts.profile",
    "api-nominations.nomination_list": "nominations.mine",
    "api-nominations.nomination": "nominations.show",
    "api-nominations.answers": "nominations.edit",
    "api-nominations.decision": "secretariat.decide_view",
    "api-transitions.options": "workflow.transition_page",
    "api-transitions.fire_transition": "workflow.transition_page",
    "api-reviews.assignment_list": "review.mine",
    "api-reviews.assignment": "review.review",
    "api-reviews.review": "review.review",
    "api-secretariat.worklists": "main.home",
    "api-secretariat.worklist": "secretariat.worklist",
    "api-secretariat.ranking": "secretariat.ranking",
    "api-secretariat.export": "secretariat.export_csv",
}

#: The decisions are fired by the decision form, on the page as in the API.
DECISIONS = {"recognise": {"level": "merit"}, "not_recognise": {}}


def test_every_api_operation_names_its_page(app):
    operations = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
    }
    assert operations == set(MATCHING_PAGES)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(MATCHING_PAGES.values()) <= endpoints


def _pair(client_factory, user):
    """The page's client signed in as ``user`` and the API's headers acting as ``user``."""
    page = client_factory()
    headers = {}
    if not isinstance(user, AnonymousUserMixin):
        with page.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        headers = {"Authorization": f"Bearer {create_token(user, 'matrix', 'write')[1]}"}
        db.session.commit()
    return page, headers


def _twins(state: str, make, workflow: str):
    """Per kind of user, two objects in ``state`` and the user holding the role on each."""
    found = {}
    for role in ROLES[workflow]:
        page_obj, api_obj = make(state), make(state)
        page_user = make_user_with_role(workflow, role, page_obj)
        api_user = make_user_with_role(workflow, role, api_obj)
        found[role] = (page_obj, page_user, api_obj, api_user)
    return found


def _state(model, obj_id) -> str:
    db.session.expire_all()
    return db.session.get(model, obj_id).state


@pytest.mark.parametrize("state", list(NOMINATION.states))
def test_reading_and_editing_a_nomination(app, state):
    twins = _twins(state, make_nomination, "nomination")
    db.session.commit()
    for role, (page_obj, page_user, api_obj, api_user) in twins.items():
        page, _unused = _pair(app.test_client, page_user)
        api, headers = _pair(app.test_client, api_user)
        seen_page = page.get(f"/nominations/{page_obj.id}").status_code == 200
        seen_api = api.get(f"/api/v1/nominations/{api_obj.id}", headers=headers)
        assert seen_page == (seen_api.status_code == 200), (state, role, "read", seen_api.json)
        first = page_obj.programme.sections[0].id
        edit_page = page.get(f"/nominations/{page_obj.id}/edit/{first}").status_code == 200
        edit_api = api.patch(
            f"/api/v1/nominations/{api_obj.id}/answers", json={"answers": {}}, headers=headers
        ).status_code
        assert edit_page == (edit_api == 200), (state, role, "edit", edit_api)


TRANSITIONS = [
    pytest.param(state, transition.id, id=f"{state}-{transition.id}")
    for state in NOMINATION.states
    for transition in NOMINATION.transitions.values()
    if state in transition.sources and (transition.menu or transition.id in DECISIONS)
]


@pytest.mark.parametrize(("state", "transition"), TRANSITIONS)
def test_firing_a_nomination_transition(app, state, transition):
    twins = _twins(state, make_nomination, "nomination")
    db.session.commit()
    moved = {}
    for role, (page_obj, page_user, api_obj, api_user) in twins.items():
        page, _unused = _pair(app.test_client, page_user)
        api, headers = _pair(app.test_client, api_user)
        if transition in DECISIONS:
            form = {"outcome": transition, "comment": "Because.", **DECISIONS[transition]}
            page.post(f"/secretariat/nominations/{page_obj.id}/decide", data=form)
            answer = api.post(
                f"/api/v1/nominations/{api_obj.id}/decision", json=form, headers=headers
            )
        else:
            page.post(
                f"/workflow/nomination/{page_obj.id}/{transition}",
                data={"comment": "Because.", "confirmed": "y"},
            )
            answer = api.post(
                f"/api/v1/workflows/nomination/{api_obj.id}/transitions/{transition}",
                json={"comment": "Because.", "confirmed": True},
                headers=headers,
            )
        assert answer.status_code < 500
        by_page = _state(Nomination, page_obj.id) != state
        by_api = _state(Nomination, api_obj.id) != state
        assert by_page == by_api, (role, answer.status_code, answer.get_json())
        assert by_api == (answer.status_code == 200), (role, answer.get_json())
        moved[role] = by_api
    assert any(moved.values()), "someone may fire it: the twins must be able to move"


@pytest.mark.parametrize("state", list(REVIEW.states))
def test_reading_and_saving_a_review(app, state):
    twins = _twins(state, make_assignment, "review")
    db.session.commit()
    for role, (page_obj, page_user, api_obj, api_user) in twins.items():
        page, _unused = _pair(app.test_client, page_user)
        api, headers = _pair(app.test_client, api_user)
        seen_page = page.get(f"/reviews/{page_obj.id}").status_code == 200
        seen_api = api.get(f"/api/v1/assignments/{api_obj.id}", headers=headers).status_code
        assert seen_page == (seen_api == 200), (state, role, "read", seen_api)
        page.post(f"/reviews/{page_obj.id}", data={"comment_for_city": "From the page."})
        api.put(
            f"/api/v1/assignments/{api_obj.id}/review",
            json={"comment_for_city": "From the page."},
            headers=headers,
        )
        db.session.expire_all()
        saved_page = db.session.get(Assignment, page_obj.id).comment_for_city == "From the page."
        saved_api = db.session.get(Assignment, api_obj.id).comment_for_city == "From the page."
        assert saved_page == saved_api, (state, role, "save")


REVIEW_TRANSITIONS = [
    pytest.param(state, transition.id, id=f"{state}-{transition.id}")
    for state in REVIEW.states
    for transition in REVIEW.transitions.values()
    if state in transition.sources and transition.menu
]


@pytest.mark.parametrize(("state", "transition"), REVIEW_TRANSITIONS)
def test_firing_a_review_transition(app, state, transition):
    twins = _twins(state, make_assignment, "review")
    db.session.commit()
    for role, (page_obj, page_user, api_obj, api_user) in twins.items():
        page, _unused = _pair(app.test_client, page_user)
        api, headers = _pair(app.test_client, api_user)
        page.post(
            f"/workflow/review/{page_obj.id}/{transition}",
            data={"comment": "Because.", "confirmed": "y"},
        )
        answer = api.post(
            f"/api/v1/workflows/review/{api_obj.id}/transitions/{transition}",
            json={"comment": "Because.", "confirmed": True},
            headers=headers,
        )
        assert answer.status_code < 500
        by_page = _state(Assignment, page_obj.id) != state
        by_api = _state(Assignment, api_obj.id) != state
        assert by_page == by_api, (role, answer.status_code, answer.get_json())


@pytest.mark.parametrize("role", ROLES["call"])
def test_reading_a_ranking_an_export_and_a_worklist(app, role):
    nomination = make_nomination("under_review")
    user = make_user_with_role("call", role, nomination.call)
    db.session.commit()
    page, headers = _pair(app.test_client, user)
    api = app.test_client()
    call = nomination.call_id
    ranked_page = page.get(f"/secretariat/calls/{call}/ranking").status_code == 200
    ranked_api = api.get(f"/api/v1/calls/{call}/ranking", headers=headers).status_code == 200
    assert ranked_page == ranked_api, role
    exported_page = page.get(f"/secretariat/calls/{call}/export/scores.csv")
    exported_page.get_data()  # streamed: read to its end before the next request
    exported_api = api.get(f"/api/v1/calls/{call}/export/scores", headers=headers)
    exported_api.get_data()
    assert (exported_page.status_code == 200) == (exported_api.status_code == 200), role
    listed = page.get("/secretariat/worklists/nomination/under_review")
    listed_api = api.get("/api/v1/worklists/nomination/under_review", headers=headers)
    shown = str(nomination.nominee_name()) in listed.get_data(as_text=True)
    shown_api = any(
        i["id"] == nomination.id for i in (listed_api.get_json() or {}).get("items", [])
    )
    assert shown == shown_api, role


def test_anonymous_users_are_asked_for_a_token(app):
    """What a page asks a visitor to sign in for, the API asks a token for."""
    nomination = make_nomination("draft")
    db.session.commit()
    api = app.test_client()
    for path in ("/api/v1/me", "/api/v1/nominations", "/api/v1/assignments", "/api/v1/worklists"):
        assert api.get(path).status_code == 401, path
    assert api.get(f"/api/v1/nominations/{nomination.id}").status_code == 404
    factories.make_user  # noqa: B018 - the factories module the helpers use
