"""A reviewer's work through the API: their assignments only, scores saved as a draft and
submitted through the engine when complete, as the scoring page does."""

from __future__ import annotations

import factories

from recognition.extensions import db
from recognition.review.models import Assignment


def _assignment():
    nomination = factories.make_ready_nomination("under_review")
    reviewer = factories.make_reviewer()
    assignment = factories.make_assignment(nomination, reviewer, state="accepted")
    return reviewer, assignment


def _all_scores(detail, value):
    return [{"criterion": s["criterion"], "value": value} for s in detail["scores"]]


def test_a_reviewer_lists_and_reads_their_own_assignments(app, bearer, client):
    reviewer, assignment = _assignment()
    _someone, others = _assignment()
    headers = bearer(reviewer)
    listing = client.get("/api/v1/assignments", headers=headers).json
    assert [a["id"] for a in listing["items"]] == [assignment.id]
    detail = client.get(f"/api/v1/assignments/{assignment.id}", headers=headers).json
    assert [s["criterion"] for s in detail["scores"]][:2] == ["concrete_results", "agent_of_change"]
    assert detail["recommendations"]
    assert client.get(f"/api/v1/assignments/{others.id}", headers=headers).status_code == 404


def test_a_review_is_saved_then_submitted_when_complete(app, bearer, client):
    reviewer, assignment = _assignment()
    headers = bearer(reviewer)
    url = f"/api/v1/assignments/{assignment.id}"
    detail = client.get(url, headers=headers).json
    recommendation = detail["recommendations"][0]["id"]
    partial = client.put(
        f"{url}/review",
        json={
            "scores": _all_scores(detail, 3)[:1],
            "recommendation": recommendation,
            "submit": True,
        },
        headers=headers,
    )
    assert partial.status_code == 422  # saved as a draft, not submitted: scores are missing
    assert db.session.get(Assignment, assignment.id).state == "accepted"
    saved = client.get(url, headers=headers).json
    assert saved["scores"][0]["value"] == 3
    complete = client.put(
        f"{url}/review",
        json={"scores": _all_scores(detail, 4), "recommendation": recommendation, "submit": True},
        headers=headers,
    )
    assert complete.status_code == 200, complete.json
    assert complete.json["state"]["id"] == "submitted"
    closed = client.put(f"{url}/review", json={"scores": _all_scores(detail, 1)}, headers=headers)
    assert closed.status_code == 409
    db.session.expire_all()
    assert {s.value for s in db.session.get(Assignment, assignment.id).scores} == {4}


def test_scores_outside_the_rubric_are_refused(app, bearer, client):
    reviewer, assignment = _assignment()
    response = client.put(
        f"/api/v1/assignments/{assignment.id}/review",
        json={"scores": [{"criterion": "charm", "value": 5}]},
        headers=bearer(reviewer),
    )
    assert response.status_code == 422
    assert "charm" in response.json["errors"]["json"]["scores"]


def test_the_city_never_sees_an_assignment(app, bearer, client):
    _reviewer, assignment = _assignment()
    focal = factories.make_focal_point(city=assignment.nomination.city)
    headers = bearer(focal)
    assert client.get(f"/api/v1/assignments/{assignment.id}", headers=headers).status_code in (
        403,
        404,
    )
    assert client.get("/api/v1/assignments", headers=headers).status_code == 403


def test_a_withdrawn_assignment_is_not_listed(app, bearer, client):
    reviewer, assignment = _assignment()
    withdrawn = factories.make_assignment(
        factories.make_ready_nomination("under_review"), reviewer, state="withdrawn"
    )
    listing = client.get("/api/v1/assignments", headers=bearer(reviewer)).json
    assert [a["id"] for a in listing["items"]] == [assignment.id]
    assert withdrawn.id not in [a["id"] for a in listing["items"]]
