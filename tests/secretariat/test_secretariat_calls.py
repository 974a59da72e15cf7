"""Calls move through call.yaml from the state menu; a closed call takes no submission."""

from __future__ import annotations

import factories
import pytest
from secretariat_support import flashes

from recognition.nominations.models import Nomination
from recognition.programmes.models import Call
from recognition.workflow.history import WorkflowEvent


def fire(client, call, transition, comment=""):
    return client.post(
        f"/workflow/call/{call.id}/{transition}",
        data={"comment": comment, "next": f"/calls/{call.id}", "confirmed": "y"},
    )


@pytest.mark.parametrize(
    ("start", "transition", "comment", "end", "extra"),
    [
        ("draft", "open", "", "open", {}),
        ("open", "close", "", "closed", {}),
        ("closed", "reopen", "Deadline extended after the floods", "open", {}),
        ("closed", "start_review", "", "reviewing", {}),
        ("reviewing", "close_review", "", "decided", {}),
        ("decided", "announce", "", "announced", {"announcement": {"en": "Congratulations"}}),
    ],
)
def test_officer_moves_a_call_through_its_workflow(
    db, as_officer, start, transition, comment, end, extra
):
    call = factories.make_call(state=start, **extra)
    db.session.commit()
    response = fire(as_officer, call, transition, comment)
    assert response.status_code == 302
    assert db.session.get(Call, call.id).state == end
    event = db.session.query(WorkflowEvent).filter_by(object_type="call").one()
    assert (event.transition, event.from_state, event.to_state) == (transition, start, end)


def test_reopening_needs_a_comment(db, as_officer):
    call = factories.make_call(state="closed")
    db.session.commit()
    fire(as_officer, call, "reopen")
    assert db.session.get(Call, call.id).state == "closed"
    assert ("danger", "A comment is required for this action.") in flashes(as_officer)


def test_closing_review_waits_for_every_decision(db, as_officer):
    call = factories.make_call(state="reviewing")
    factories.make_nomination(call=call, state="under_review")
    db.session.commit()
    fire(as_officer, call, "close_review")
    assert db.session.get(Call, call.id).state == "reviewing"
    [(category, message)] = flashes(as_officer)
    assert category == "danger"
    assert message == "1 nomination of this call still waits for screening, review or a decision."


def test_announcing_needs_the_announcement_text(db, as_officer):
    call = factories.make_call(state="decided")
    db.session.commit()
    fire(as_officer, call, "announce")
    assert db.session.get(Call, call.id).state == "decided"
    [(category, message)] = flashes(as_officer)
    assert message == "Write the announcement text in English, the call's source language, first."


def test_a_focal_point_cannot_close_a_call(db, login_as):
    call = factories.make_call(state="open")
    focal = factories.make_focal_point()
    db.session.commit()
    client = login_as(focal)
    fire(client, call, "close")
    assert db.session.get(Call, call.id).state == "open"
    assert ("danger", "You are not allowed to do this.") in flashes(client)


def test_a_closed_call_refuses_submissions(db, as_officer, login_as):
    call = factories.make_call(state="open")
    focal = factories.make_focal_point()
    city = focal.memberships[0].city
    draft = factories.make_nomination(call=call, city=city, state="draft")
    db.session.commit()
    fire(as_officer, call, "close")
    client = login_as(focal)
    client.post(f"/workflow/nomination/{draft.id}/submit", data={"next": "/nominations"})
    assert db.session.get(Nomination, draft.id).state == "draft"
    [(category, _message)] = flashes(client)  # the wording is the nominations package's
    assert category == "danger"


def test_a_closed_call_offers_no_new_nomination(db, as_officer, login_as):
    call = factories.make_call(state="open")
    focal = factories.make_focal_point()
    db.session.commit()
    fire(as_officer, call, "close")
    client = login_as(focal)
    response = client.post(f"/calls/{call.id}/nominate", data={"language": "en"})
    assert response.status_code == 302
    assert db.session.query(Nomination).count() == 0
