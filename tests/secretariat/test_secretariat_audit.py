"""The audit page: every workflow event, filterable by object, actor, transition and date."""

from __future__ import annotations

from datetime import datetime

import factories
import pytest

from recognition.workflow import engine
from recognition.workflow.engine import fire


@pytest.fixture
def events(db, officer, monkeypatch):
    """Three events: Accra accepted (2026-03-01), Bogota returned (2026-03-05) by a second
    officer, a city verified (2026-03-09). (The history cannot be backdated: the engine's
    clock is set instead.)"""
    other = factories.make_secretariat(email="second@secretariat.example")
    accra = factories.make_nomination(city=factories.make_city(name="Accra"), state="submitted")
    bogota = factories.make_nomination(city=factories.make_city(name="Bogota"), state="submitted")
    pending = factories.make_city(name="Pendington", state="pending")
    for obj, transition, actor, comment, day in (
        (accra, "accept", officer, "", 1),
        (bogota, "return", other, "Letters missing", 5),
        (pending, "verify", officer, "", 9),
    ):
        monkeypatch.setattr(engine, "utcnow", lambda day=day: datetime(2026, 3, day, 12, 0))
        fire(obj, transition, actor, comment)
    monkeypatch.undo()
    db.session.commit()
    return {"accra": accra, "bogota": bogota, "pending": pending}


def audit(client, query=""):
    response = client.get("/secretariat/audit" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown(html: str) -> set[str]:
    return {
        name
        for name in ("Accept for review", "Return for revision", "Verify")
        if f"<td>{name}</td>" in html
    }


def test_audit_lists_every_event(as_officer, events):
    assert shown(audit(as_officer)) == {"Accept for review", "Return for revision", "Verify"}


def test_audit_shows_comments_and_actors(as_officer, events):
    html = audit(as_officer)
    assert "Letters missing" in html and "second@secretariat.example" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?object_type=city", {"Verify"}),
        ("?object_type=nomination", {"Accept for review", "Return for revision"}),
        ("?transition=return", {"Return for revision"}),
        ("?actor=second@", {"Return for revision"}),
        ("?actor=OFFICER@SECRETARIAT", {"Accept for review", "Verify"}),
        ("?since=2026-03-04", {"Return for revision", "Verify"}),
        ("?until=2026-03-05", {"Accept for review", "Return for revision"}),
        ("?since=2026-03-02&until=2026-03-08", {"Return for revision"}),
        ("?since=2026-03-05T13:00", {"Verify"}),
        ("?transition=nope", set()),
        ("?object_type=nope", set()),
        ("?actor=nobody", set()),
    ],
)
def test_audit_filters(as_officer, events, query, expected):
    assert shown(audit(as_officer, query)) == expected


def test_audit_filters_by_object_number(as_officer, events):
    query = f"?object_type=nomination&object_id={events['bogota'].id}"
    assert shown(audit(as_officer, query)) == {"Return for revision"}


@pytest.mark.parametrize(
    "query",
    [
        "?since=yesterday",
        "?until=2026-13-45",
        "?since=2026-02-30",
        "?until=2026-03-05T25:00",
    ],
)
def test_a_bad_date_is_a_message(as_officer, events, query):
    html = audit(as_officer, query)
    assert "Dates are written as YYYY-MM-DD." in html
    assert shown(html) == {"Accept for review", "Return for revision", "Verify"}


@pytest.mark.parametrize(
    "query",
    [
        "?object_id=99999999999999999999",
        "?object_id=-1",
        "?object_id=abc",
        "?since=2026-03-04T00:00:00%2B02:00",
        "?page=99999999999999999999",
    ],
)
def test_odd_input_is_no_error(as_officer, events, query):
    audit(as_officer, query)


def test_a_timezone_in_the_date_is_respected(as_officer, events):
    # 2026-03-05 12:00 UTC is 14:00 at +02:00: Bogota's event is before it.
    assert shown(audit(as_officer, "?since=2026-03-05T13:30:00%2B02:00")) == {
        "Return for revision",
        "Verify",
    }


def test_audit_is_paginated(app, as_officer, events, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 2)
    assert shown(audit(as_officer)) == {"Verify", "Return for revision"}
    assert shown(audit(as_officer, "?page=2")) == {"Accept for review"}


def test_override_reason_is_shown(db, as_officer, officer):
    nomination = factories.make_nomination(state="under_review")
    fire(nomination, "not_recognise", officer, data={"override_reason": "Reviewer unreachable"})
    db.session.commit()
    assert "override: Reviewer unreachable" in audit(as_officer)


@pytest.mark.parametrize("who", ["focal", "reviewer"])
def test_audit_is_for_the_secretariat(db, login_as, who):
    user = factories.make_focal_point() if who == "focal" else factories.make_reviewer()
    db.session.commit()
    assert login_as(user).get("/secretariat/audit").status_code == 403


def test_audit_names_and_links_the_objects(as_officer, events):
    html = audit(as_officer)
    assert (
        f'<a href="/nominations/{events["accra"].id}">Nomination {events["accra"].id}</a>' in html
    )
    assert (
        f'<a href="/cities/{events["pending"].id}">City registration {events["pending"].id}</a>'
        in html
    )


def test_audit_filters_are_offered_by_title(as_officer, events):
    html = audit(as_officer)
    assert '<option value="return">Return for revision</option>' in html
    assert '<option value="nomination">Nomination</option>' in html
    assert '<option value="announce">Announce / Announce the recognised cities</option>' in html
