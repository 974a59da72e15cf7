"""Screening: the verification and screening worklists, accept / return / ineligible, and
bulk actions with a result per nomination."""

from __future__ import annotations

import factories
import pytest
from secretariat_support import submit_review

from recognition.accounts.models import City
from recognition.extensions import db as _db
from recognition.nominations.models import Nomination
from recognition.notifications.models import OutboxMessage

SCREENING = "/secretariat/worklists/nomination/awaiting_screening"
VERIFICATION = "/secretariat/worklists/city/awaiting_verification"


def submitted(name, call=None):
    focal = factories.make_user(email=f"focal@{name.lower()}.example")
    city = factories.make_city(name=name, members=[focal])
    return factories.make_nomination(call=call, city=city, state="submitted")


def state_of(nomination) -> str:
    return _db.session.get(Nomination, nomination.id).state


def test_verification_worklist_lists_pending_cities_only(db, as_officer):
    factories.make_city(name="Pendington", state="pending")
    factories.make_city(name="Verifiedville", state="verified")
    db.session.commit()
    html = as_officer.get(VERIFICATION).get_data(as_text=True)
    assert "Pendington" in html
    assert "Verifiedville" not in html


def test_screening_worklist_lists_submitted_nominations_only(db, as_officer):
    submitted("Accra")
    factories.make_nomination(city=factories.make_city(name="Draftown"), state="draft")
    factories.make_nomination(city=factories.make_city(name="Reviewburg"), state="under_review")
    db.session.commit()
    html = as_officer.get(SCREENING).get_data(as_text=True)
    assert "Accra" in html
    assert "Draftown" not in html and "Reviewburg" not in html


def test_screening_worklist_offers_the_screening_actions(db, as_officer):
    submitted("Accra")
    db.session.commit()
    html = as_officer.get(SCREENING).get_data(as_text=True)
    for transition in ("accept", "return", "declare_ineligible"):
        assert f'formaction="/secretariat/bulk/{transition}"' in html


def test_screening_worklist_is_paginated(app, db, as_officer, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 2)
    call = factories.make_call()
    for name in ("Aarhus", "Bergen", "Cork"):
        submitted(name, call)
    db.session.commit()
    first = as_officer.get(SCREENING).get_data(as_text=True)
    last = as_officer.get(SCREENING + "?page=2").get_data(as_text=True)
    assert "Aarhus" in first and "Bergen" in first and "Cork" not in first
    assert "Cork" in last and "Aarhus" not in last


@pytest.mark.parametrize("path", [SCREENING, VERIFICATION])
def test_worklists_show_nothing_to_a_focal_point(db, login_as, path):
    nomination = submitted("Accra")
    focal = nomination.city.memberships[0].user
    factories.make_city(name="Pendington", state="pending", members=[focal])
    db.session.commit()
    html = login_as(focal).get(path).get_data(as_text=True)
    assert "Accra" not in html and "Pendington" not in html


def test_unknown_worklist_is_404(as_officer):
    assert as_officer.get("/secretariat/worklists/nomination/nope").status_code == 404


def test_verifying_a_city(db, as_officer):
    city = factories.make_city(name="Pendington", state="pending")
    db.session.commit()
    as_officer.post(f"/workflow/city/{city.id}/verify", data={"next": VERIFICATION})
    assert db.session.get(City, city.id).state == "verified"


def test_accepting_for_review(db, as_officer):
    nomination = submitted("Accra")
    db.session.commit()
    as_officer.post(f"/workflow/nomination/{nomination.id}/accept", data={"next": SCREENING})
    assert state_of(nomination) == "under_review"


@pytest.mark.parametrize("transition", ["return", "declare_ineligible"])
def test_returning_or_ruling_ineligible_needs_a_comment(db, as_officer, transition):
    nomination = submitted("Accra")
    db.session.commit()
    as_officer.post(f"/workflow/nomination/{nomination.id}/{transition}", data={"comment": "  "})
    assert state_of(nomination) == "submitted"


@pytest.mark.parametrize(
    ("transition", "end"), [("return", "returned"), ("declare_ineligible", "ineligible")]
)
def test_returning_or_ruling_ineligible_notifies_the_city(db, as_officer, transition, end):
    nomination = submitted("Accra")
    db.session.commit()
    as_officer.post(
        f"/workflow/nomination/{nomination.id}/{transition}",
        data={"comment": "Please add the mayor's signed letter."},
    )
    assert state_of(nomination) == end
    [message] = db.session.query(OutboxMessage).all()
    assert message.to_email == "focal@accra.example"
    assert "Please add the mayor's signed letter." in message.body_text


def test_bulk_accept_reports_each_nomination(db, as_officer):
    first, second = submitted("Accra"), submitted("Bogota")
    db.session.commit()
    response = as_officer.post(
        "/secretariat/bulk/accept", data={"ids": [str(first.id), str(second.id)]}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("Done</span>") == 2
    assert state_of(first) == state_of(second) == "under_review"


def test_bulk_return_without_comment_is_refused_per_item(db, as_officer):
    first, second = submitted("Accra"), submitted("Bogota")
    db.session.commit()
    response = as_officer.post(
        "/secretariat/bulk/return", data={"ids": [str(first.id), str(second.id)], "comment": ""}
    )
    html = response.get_data(as_text=True)
    assert html.count("Refused</span> A comment is required for this action.") == 2
    assert state_of(first) == state_of(second) == "submitted"
    assert db.session.query(OutboxMessage).count() == 0


def test_bulk_return_with_comment_notifies_every_city(db, as_officer):
    first, second = submitted("Accra"), submitted("Bogota")
    db.session.commit()
    as_officer.post(
        "/secretariat/bulk/return",
        data={"ids": [str(first.id), str(second.id)], "comment": "Letters missing"},
    )
    assert state_of(first) == state_of(second) == "returned"
    recipients = {m.to_email for m in db.session.query(OutboxMessage)}
    assert recipients == {"focal@accra.example", "focal@bogota.example"}


def test_bulk_reports_the_refused_item_and_does_the_others(db, as_officer):
    ready = submitted("Accra")
    draft = factories.make_nomination(city=factories.make_city(name="Draftown"), state="draft")
    db.session.commit()
    response = as_officer.post("/secretariat/bulk/accept", data={"ids": [ready.id, draft.id]})
    html = response.get_data(as_text=True)
    assert "Done</span>" in html
    assert "Refused</span> This action is not possible while the item is “Draft”." in html
    assert (state_of(ready), state_of(draft)) == ("under_review", "draft")


@pytest.mark.parametrize("ids", [[], ["abc"], ["-1"], ["99999999999999999999"]])
def test_bulk_without_a_selection_asks_for_one(db, as_officer, ids):
    response = as_officer.post(
        "/secretariat/bulk/accept", data={"ids": ids}, headers={"Referer": SCREENING}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(SCREENING)


def test_bulk_unknown_transition_is_404(db, as_officer):
    nomination = submitted("Accra")
    db.session.commit()
    assert as_officer.post("/secretariat/bulk/nope", data={"ids": nomination.id}).status_code == 404


def test_bulk_is_for_the_secretariat_only(db, login_as):
    nomination = submitted("Accra")
    focal = nomination.city.memberships[0].user
    db.session.commit()
    response = login_as(focal).post("/secretariat/bulk/accept", data={"ids": nomination.id})
    assert response.status_code == 403
    assert state_of(nomination) == "submitted"


def reviewed(name, values):
    """A nomination of a new city under review, with one submitted review."""
    nomination = factories.make_nomination(
        city=factories.make_city(name=name), state="under_review"
    )
    submit_review(nomination, values)
    return nomination


def test_bulk_decisions_record_the_decider(db, as_officer, officer):
    strong, weak = reviewed("Strong", 5), reviewed("Weak", 1)
    db.session.commit()
    as_officer.post("/secretariat/bulk/not_recognise", data={"ids": [strong.id, weak.id]})
    for nomination in (strong, weak):
        stored = _db.session.get(Nomination, nomination.id)
        assert (stored.state, stored.decided_by_id) == ("not_recognised", officer.id)


def test_bulk_recognition_names_the_areas_from_the_scores(db, as_officer):
    strong, weak = reviewed("Strong", 5), reviewed("Weak", 1)
    db.session.commit()
    response = as_officer.post("/secretariat/bulk/recognise", data={"ids": [strong.id, weak.id]})
    refusal = "Refused</span> A recognition names at least 5 areas of strength; 0 named."
    assert refusal in response.get_data(as_text=True)
    stored = _db.session.get(Nomination, strong.id)
    assert (stored.state, stored.areas_of_strength) == ("recognised", list(range(1, 11)))
    assert state_of(weak) == "under_review"


def test_nominations_are_not_announced_in_bulk(db, as_officer):
    """Nominations are announced with their call (nomination.yaml: bulk: false)."""
    call = factories.make_call(state="decided")
    nomination = factories.make_nomination(call=call, state="recognised")
    db.session.commit()
    response = as_officer.post("/secretariat/bulk/announce", data={"ids": nomination.id})
    assert response.status_code == 404
    assert state_of(nomination) == "recognised"


def test_the_state_menu_does_not_announce_a_nomination_before_its_call(db, as_officer):
    call = factories.make_call(state="decided")
    nomination = factories.make_nomination(call=call, state="recognised")
    db.session.commit()
    as_officer.post(f"/workflow/nomination/{nomination.id}/announce")
    assert state_of(nomination) == "recognised"
