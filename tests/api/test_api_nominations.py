"""A city's nominations through the API: read its own, save answers as drafts, submit through
the engine with the version it read; nobody else's, and a decision as the form takes it."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from races import race

from recognition.extensions import db
from recognition.nominations.models import Attachment, Nomination
from recognition.workflow.history import WorkflowEvent


def make_decidable(state: str) -> Nomination:
    """A complete Sasakawa nomination in ``state`` with one submitted review."""
    nomination = factories.make_ready_nomination(state)
    factories.make_assignment(nomination, factories.make_reviewer(password=None), "submitted")
    return nomination


def _city_with_draft():
    focal = factories.make_focal_point()
    call = factories.make_call(programme_id="sasakawa_award")
    draft = factories.make_nomination(call=call, city=focal.memberships[0].city)
    return focal, draft


def test_a_city_reads_its_own_nominations_and_no_other(app, bearer, client):
    focal, draft = _city_with_draft()
    _other_focal, other = _city_with_draft()
    headers = bearer(focal)
    listing = client.get("/api/v1/nominations", headers=headers).json
    assert [n["id"] for n in listing["items"]] == [draft.id]
    detail = client.get(f"/api/v1/nominations/{draft.id}", headers=headers).json
    assert detail["whole_file"] is True
    assert detail["state"]["id"] == "draft"
    assert "submit" in [t["id"] for t in detail["transitions"]]
    assert detail["problems"], "an empty draft cannot be submitted yet"
    assert client.get(f"/api/v1/nominations/{other.id}", headers=headers).status_code == 404


def test_answers_are_saved_as_a_draft_and_submitted_through_the_engine(app, bearer, client):
    focal, draft = _city_with_draft()
    headers = bearer(focal)
    answers = dict(factories.COMPLETE_SASAKAWA_ANSWERS)
    response = client.patch(
        f"/api/v1/nominations/{draft.id}/answers", json={"answers": answers}, headers=headers
    )
    assert response.status_code == 200, response.json
    saved = response.json
    assert saved["answers"]["work_summary"] == answers["work_summary"]
    # The nomination letter is a file, sent on the pages: it is what is still missing.
    assert {p["input"] for p in saved["problems"]} == {"nomination_letter"}
    letter = Attachment(
        nomination_id=draft.id,
        field="nomination_letter",
        filename="letter.pdf",
        sha256="0" * 64,
        mime="application/pdf",
        size=1000,
    )
    db.session.add(letter)
    db.session.commit()
    version = client.get(f"/api/v1/nominations/{draft.id}", headers=headers).json["version"]
    stale = client.post(
        f"/api/v1/workflows/nomination/{draft.id}/transitions/submit",
        json={"version": version - 1},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.mimetype == "application/problem+json"
    fired = client.post(
        f"/api/v1/workflows/nomination/{draft.id}/transitions/submit",
        json={"version": version},
        headers=headers,
    )
    assert fired.status_code == 200, fired.json
    assert fired.json["state"]["id"] == "submitted"
    assert fired.json["version"] > version
    again = client.patch(
        f"/api/v1/nominations/{draft.id}/answers",
        json={"answers": {"work_summary": "Late change"}},
        headers=headers,
    )
    assert again.status_code == 409
    db.session.expire_all()
    assert db.session.get(Nomination, draft.id).answers["work_summary"] != "Late change"


def test_answers_the_form_does_not_have_are_refused(app, bearer, client):
    focal, draft = _city_with_draft()
    response = client.patch(
        f"/api/v1/nominations/{draft.id}/answers",
        json={"answers": {"no_such_input": "x", "work_summary": {"nested": 1}}},
        headers=bearer(focal),
    )
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]["answers"]) == {"no_such_input", "work_summary"}


def test_a_transition_the_guard_refuses_is_refused(app, bearer, client):
    focal, draft = _city_with_draft()
    headers = bearer(focal)
    refused = client.post(
        f"/api/v1/workflows/nomination/{draft.id}/transitions/submit", json={}, headers=headers
    )
    assert refused.status_code == 422  # incomplete: the engine's condition says why
    assert refused.json["detail"]
    secretariat_only = client.post(
        f"/api/v1/workflows/nomination/{draft.id}/transitions/accept", json={}, headers=headers
    )
    assert secretariat_only.status_code in (403, 409)
    withdraw = client.post(
        f"/api/v1/workflows/nomination/{draft.id}/transitions/withdraw", json={}, headers=headers
    )
    assert withdraw.status_code == 422  # it asks to confirm
    assert db.session.get(Nomination, draft.id).state == "draft"


def test_a_decision_is_checked_by_the_programmes_rules(app, bearer, client):
    nomination = make_decidable("shortlisted")
    officer = factories.make_secretariat()
    headers = bearer(officer)
    version = nomination.version
    db.session.commit()
    unlevelled = client.post(
        f"/api/v1/nominations/{nomination.id}/decision",
        json={"outcome": "recognise", "version": version},
        headers=headers,
    )
    assert unlevelled.status_code == 422, unlevelled.json
    decided = client.post(
        f"/api/v1/nominations/{nomination.id}/decision",
        json={"outcome": "recognise", "level": "merit", "version": version},
        headers=headers,
    )
    assert decided.status_code == 200, decided.json
    assert decided.json["state"]["id"] == "recognised"
    late = client.post(
        f"/api/v1/nominations/{nomination.id}/decision",
        json={"outcome": "not_recognise", "version": version},
        headers=headers,
    )
    assert late.status_code == 409


def test_a_city_may_not_decide(app, bearer, client):
    nomination = make_decidable("shortlisted")
    focal = factories.make_focal_point(city=nomination.city)
    headers = bearer(focal)
    response = client.post(
        f"/api/v1/nominations/{nomination.id}/decision",
        json={"outcome": "recognise", "level": "merit"},
        headers=headers,
    )
    assert response.status_code in (403, 404)
    assert db.session.get(Nomination, nomination.id).state == "shortlisted"


def test_anyone_reads_the_public_projection_of_an_announced_recognition(app, client):
    nomination = factories.make_nomination(state="announced")
    programme = nomination.programme
    private = next(n for n in programme.inputs if n not in programme.public_inputs)
    public = next(n for n in programme.inputs if n in programme.public_inputs)
    nomination.answers = {private: "Private", public: "Public"}
    db.session.commit()
    response = client.get(f"/api/v1/nominations/{nomination.id}")
    assert response.status_code == 200
    assert response.json["whole_file"] is False
    assert response.json["answers"] == {public: "Public"}
    assert response.json["transitions"] == []


@pytest.mark.postgres_only
def test_two_officers_firing_at_once_get_one_success_and_one_conflict(app, bearer, client):
    """The same transition from the same version, by two officers at the same moment, on
    real concurrent connections: one moves the nomination, the other is told (409), none
    fails (500)."""
    nomination = make_decidable("submitted")
    headers = [bearer(factories.make_secretariat()) for _ in range(2)]
    version = nomination.version
    db.session.commit()
    url = f"/api/v1/workflows/nomination/{nomination.id}/transitions/accept"
    responses = race(
        app,
        [
            lambda auth=auth: app.test_client().post(url, json={"version": version}, headers=auth)
            for auth in headers
        ],
    )
    answers = [r.status_code for r in responses]
    assert sorted(answers) == [200, 409]
    assert _history_count(nomination.id) == 1


def _history_count(nomination_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(WorkflowEvent)
        .where(WorkflowEvent.object_id == nomination_id, WorkflowEvent.transition == "accept")
    )


@pytest.mark.postgres_only
def test_two_decisions_at_once_record_one(app, bearer, client):
    nomination = make_decidable("shortlisted")
    headers = [bearer(factories.make_secretariat()) for _ in range(2)]
    version = nomination.version
    db.session.commit()
    url = f"/api/v1/nominations/{nomination.id}/decision"
    bodies = [
        {"outcome": "recognise", "level": "merit", "version": version},
        {"outcome": "not_recognise", "version": version},
    ]
    responses = race(
        app,
        [
            lambda auth=auth, body=body: app.test_client().post(url, json=body, headers=auth)
            for auth, body in zip(headers, bodies, strict=True)
        ],
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert all(r.mimetype.startswith("application/") for r in responses)


def test_control_characters_and_broken_text_are_cleaned_not_stored(app, bearer, client):
    focal, draft = _city_with_draft()
    response = client.patch(
        f"/api/v1/nominations/{draft.id}/answers",
        json={"answers": {"work_summary": "Floods\u0000 halved\ud800.\u0007"}},
        headers=bearer(focal),
    )
    assert response.status_code == 200
    assert response.json["answers"]["work_summary"] == "Floods halved?."
    assert client.get(f"/api/v1/nominations/{draft.id}", headers=bearer(focal)).status_code == 200


def test_a_body_nested_too_deep_is_a_bad_request(app, bearer, client):
    focal, draft = _city_with_draft()
    response = client.patch(
        f"/api/v1/nominations/{draft.id}/answers",
        data="[" * 5000 + "]" * 5000,
        content_type="application/json",
        headers=bearer(focal),
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_areas_for_a_programme_deciding_by_levels_are_refused(app, bearer, client):
    nomination = make_decidable("shortlisted")
    headers = bearer(factories.make_secretariat())
    db.session.commit()
    response = client.post(
        f"/api/v1/nominations/{nomination.id}/decision",
        json={"outcome": "recognise", "level": "merit", "areas": [1, 2]},
        headers=headers,
    )
    assert response.status_code == 422
    assert "areas" in response.json["errors"]["json"]


def test_a_city_reads_no_version_while_its_decision_is_embargoed(app, bearer, client):
    nomination = factories.make_nomination(state="recognised")  # its call not announced yet
    focal = factories.make_focal_point(city=nomination.city)
    headers = bearer(focal)
    detail = client.get(f"/api/v1/nominations/{nomination.id}", headers=headers).json
    assert detail["state"]["id"] != "recognised"
    assert detail["version"] is None
