"""Calls for nominations: the secretariat's call form (dates in the officer's time zone, stored
in UTC), the list of calls and a call's page with its deadlines."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import factories
import pytest
import sqlalchemy as sa

from recognition.programmes.models import Call
from recognition.timeutil import utcnow

FORM = {
    "programme_id": "role_model_city",
    "source_language": "en",
    "title_en": "Role Model Cities 2027",
    "cycle": "2027",
    "theme_en": "",
    "opens_at": "2027-01-10T09:00",
    "closes_at": "2027-03-31T18:00",
    "review_deadline": "2027-05-31T18:00",
    "announcement_at": "",
    "reviewers_per_nomination": "3",
    "disagreement_threshold": "2",
}


def text(response) -> str:
    return response.get_data(as_text=True)


def errors(response) -> list[str]:
    return re.findall(r'class="invalid-feedback d-block">([^<]*)<', text(response))


def calls_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Call))


@pytest.fixture
def officer(db):
    """A secretariat officer in New York (UTC-5 in winter, UTC-4 in summer)."""
    return factories.make_secretariat(timezone="America/New_York")


def test_officer_creates_a_call_as_a_draft(db, client, login_as, officer):
    db.session.commit()
    login_as(officer)
    response = client.post("/calls/new", data=FORM)
    call = db.session.scalars(sa.select(Call)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/calls/{call.id}"
    assert (call.title, call.state, call.programme_id) == (
        FORM["title_en"],
        "draft",
        "role_model_city",
    )


def test_dates_typed_in_the_officers_time_zone_are_stored_in_utc(db, client, login_as, officer):
    db.session.commit()
    login_as(officer)
    client.post("/calls/new", data=FORM)
    call = db.session.scalars(sa.select(Call)).one()
    assert call.opens_at == datetime(2027, 1, 10, 14, 0)  # 09:00 EST
    assert call.closes_at == datetime(2027, 3, 31, 22, 0)  # 18:00 EDT
    assert call.review_deadline == datetime(2027, 5, 31, 22, 0)


def test_call_form_says_which_time_zone_dates_are_in(db, client, login_as, officer):
    db.session.commit()
    login_as(officer)
    assert "Dates are in your time zone: America/New_York." in text(client.get("/calls/new"))


def test_edit_form_shows_stored_dates_in_the_officers_time_zone(db, client, login_as, officer):
    call = factories.make_call(
        state="draft",
        opens_at=datetime(2027, 1, 10, 14, 0),
        closes_at=datetime(2027, 3, 1),
        review_deadline=datetime(2027, 4, 1),
    )
    db.session.commit()
    login_as(officer)
    html = text(client.get(f"/calls/{call.id}/edit"))
    assert re.search(r'id="opens_at"[^>]*value="2027-01-10[ T]09:00', html)


def test_editing_a_call_converts_the_new_dates_to_utc(db, client, login_as, officer):
    call = factories.make_call(state="open")
    db.session.commit()
    login_as(officer)
    response = client.post(f"/calls/{call.id}/edit", data={**FORM, "closes_at": "2027-04-30T23:30"})
    assert response.status_code == 302
    db.session.refresh(call)
    assert call.closes_at == datetime(2027, 5, 1, 3, 30)
    assert call.programme_id == "role_model_city"


def test_editing_keeps_the_programme_of_the_call(db, client, login_as, officer):
    call = factories.make_call(state="draft")
    db.session.commit()
    login_as(officer)
    client.post(f"/calls/{call.id}/edit", data={**FORM, "programme_id": "sasakawa_award"})
    db.session.refresh(call)
    assert call.programme_id == "role_model_city"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"closes_at": "2027-01-10T09:00"}, "The call must close after it opens."),
        ({"closes_at": "2027-01-01T09:00"}, "The call must close after it opens."),
        (
            {"review_deadline": "2027-03-31T17:59"},
            "The review deadline cannot come before the call closes.",
        ),
        ({"opens_at": "10/01/2027"}, "Not a valid datetime value."),
        ({"title_en": ""}, "The title in the source language is required."),
        ({"reviewers_per_nomination": "0"}, "Number must be between 1 and 20."),
        ({"reviewers_per_nomination": "three"}, "Not a valid integer value."),
        ({"announcement_at": "soon"}, "Not a valid datetime value."),
        ({"programme_id": "no_such_programme"}, "Not a valid choice."),
    ],
    ids=[
        "closes-when-opens",
        "closes-before-opens",
        "review-before-close",
        "bad-date",
        "no-title",
        "no-reviewers",
        "reviewers-not-a-number",
        "bad-announcement",
        "unknown-programme",
    ],
)
def test_new_call_with_bad_dates_or_fields_is_refused(
    db, client, login_as, officer, changes, error
):
    db.session.commit()
    login_as(officer)
    response = client.post("/calls/new", data={**FORM, **changes})
    assert response.status_code == 200
    assert errors(response) == [error]
    assert calls_count(db) == 0


def test_dates_in_order_locally_but_not_in_utc_are_refused(db, client, login_as, officer):
    """On 8 March 2026 New York clocks jump from 02:00 to 03:00: 02:30 does not exist and
    reads as 07:30 UTC, later than 03:10 EDT (07:10 UTC). A form error, not a 500."""
    db.session.commit()
    login_as(officer)
    response = client.post(
        "/calls/new",
        data={**FORM, "opens_at": "2026-03-08T02:30", "closes_at": "2026-03-08T03:10"},
    )
    assert response.status_code == 200
    assert errors(response) == ["The call must close after it opens."]
    assert calls_count(db) == 0


def test_edit_with_closing_before_opening_changes_nothing(db, client, login_as, officer):
    call = factories.make_call(state="open")
    before = call.closes_at
    db.session.commit()
    login_as(officer)
    response = client.post(f"/calls/{call.id}/edit", data={**FORM, "closes_at": "2026-12-31T00:00"})
    assert errors(response) == ["The call must close after it opens."]
    db.session.refresh(call)
    assert call.closes_at == before


@pytest.mark.parametrize("url", ["/calls/new", "/calls/{id}/edit"])
def test_focal_points_cannot_create_or_edit_calls(db, client, login_as, url):
    call = factories.make_call(state="open")
    focal = factories.make_focal_point()
    db.session.commit()
    login_as(focal)
    assert client.post(url.format(id=call.id), data=FORM).status_code == 403
    assert calls_count(db) == 1


def test_visitors_are_sent_to_sign_in_before_creating_a_call(client):
    response = client.get("/calls/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_announced_call_cannot_be_edited(db, client, login_as, officer):
    call = factories.make_call(state="announced")
    db.session.commit()
    login_as(officer)
    assert client.get(f"/calls/{call.id}/edit").status_code == 403


def test_unknown_call_is_404(db, client, login_as, officer):
    db.session.commit()
    login_as(officer)
    assert client.get("/calls/999/edit").status_code == 404


# -- the list of calls and a call's page ---------------------------------------------------


def test_visitors_see_open_calls_with_their_deadline(db, client):
    factories.make_call(title="Open call", closes_at=datetime(2030, 6, 30, 12, 0))
    db.session.commit()
    html = text(client.get("/calls"))
    assert "Open call" in html
    assert re.search(r"June 30, 2030[^<]*12:00[^<]*\(UTC\)", html)


def test_draft_calls_are_listed_for_the_secretariat_only(db, client, login_as, officer):
    factories.make_call(title="Draft call", state="draft")
    focal = factories.make_focal_point()
    db.session.commit()
    login_as(focal)
    assert "Draft call" not in text(client.get("/calls"))
    login_as(officer)
    assert "Draft call" in text(client.get("/calls"))


def test_open_calls_come_first(db, client):
    factories.make_call(title="Closed call", state="closed")
    factories.make_call(title="Open call")
    db.session.commit()
    html = text(client.get("/calls"))
    assert html.index("Open call") < html.index("Closed call")


def test_calls_list_is_paginated(app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 2)
    for n in range(3):
        factories.make_call(title=f"Call number {n}", closes_at=utcnow() + timedelta(days=n + 1))
    db.session.commit()
    first, second = text(client.get("/calls")), text(client.get("/calls?page=2"))
    assert first.count("Call number") == 2 and second.count("Call number") == 1
    assert "Page 1 of 2" in first


def test_new_call_button_is_for_the_secretariat(db, client, login_as, officer):
    db.session.commit()
    assert "/calls/new" not in text(client.get("/calls"))
    login_as(officer)
    assert 'href="/calls/new"' in text(client.get("/calls"))


def test_call_page_shows_deadlines_in_the_users_locale_and_time_zone(db, client, login_as):
    call = factories.make_call(
        opens_at=datetime(2026, 1, 1, 0, 0),
        closes_at=datetime(2030, 6, 30, 15, 0),
        review_deadline=datetime(2030, 8, 31, 15, 0),
    )
    user = factories.make_focal_point(locale="fr", timezone="Asia/Tokyo")
    db.session.commit()
    login_as(user)
    html = text(client.get(f"/calls/{call.id}"))
    assert re.search(r"1 juillet 2030[^<]*00:00[^<]*\(UTC\+09:00\)", html)  # closes
    assert re.search(r"1 septembre 2030[^<]*00:00[^<]*\(UTC\+09:00\)", html)  # review deadline


def test_focal_point_of_a_verified_city_is_offered_to_start(db, client, login_as):
    call = factories.make_call()
    focal = factories.make_focal_point()
    db.session.commit()
    login_as(focal)
    html = text(client.get(f"/calls/{call.id}"))
    assert f'href="/calls/{call.id}/nominate"' in html
    assert "Start a nomination" in html


def test_focal_point_with_a_nomination_is_offered_to_open_it(db, client, login_as):
    call = factories.make_call()
    focal = factories.make_focal_point()
    nomination = factories.make_nomination(call=call, city=focal.memberships[0].city)
    db.session.commit()
    login_as(focal)
    html = text(client.get(f"/calls/{call.id}"))
    assert f'href="/nominations/{nomination.id}"' in html
    assert f'href="/calls/{call.id}/nominate"' not in html


def test_closed_call_offers_no_start(db, client, login_as):
    call = factories.make_call(state="closed")
    focal = factories.make_focal_point()
    db.session.commit()
    login_as(focal)
    assert "/nominate" not in text(client.get(f"/calls/{call.id}"))


def test_unverified_city_is_told_to_wait_for_verification(db, client, login_as):
    call = factories.make_call()
    user = factories.make_user()
    factories.make_city(state="pending", members=[user])
    db.session.commit()
    login_as(user)
    html = text(client.get(f"/calls/{call.id}"))
    assert "Your city can nominate once the secretariat has verified it." in html
    assert "/nominate" not in html


def test_visitors_are_invited_to_sign_in_or_register(db, client):
    call = factories.make_call()
    db.session.commit()
    assert "To nominate your city, sign in or register it first." in text(
        client.get(f"/calls/{call.id}")
    )


def test_draft_call_page_is_hidden_from_focal_points(db, client, login_as):
    call = factories.make_call(state="draft")
    focal = factories.make_focal_point()
    db.session.commit()
    login_as(focal)
    assert client.get(f"/calls/{call.id}").status_code == 404


def test_a_disagreement_threshold_of_zero_is_accepted(db, client, login_as, officer):
    """Zero is a number, not a missing value: any difference then counts as disagreement."""
    db.session.commit()
    login_as(officer)
    response = client.post("/calls/new", data={**FORM, "disagreement_threshold": "0"})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Call)).one().disagreement_threshold == 0


def test_calls_list_costs_the_same_queries_for_many(db, client):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    counts = []
    for _ in range(2):
        for _ in range(4):
            factories.make_call()
        db.session.commit()
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/calls").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
    assert counts[0] == counts[1] > 0
