"""The secretariat's register pages and the panel of possible matches: who may see and use
them, "Same nominee" / "Different nominee" (idempotent, refused when someone else answered
or the nomination moved on), and queries bounded whatever the register's size."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from nominees_support import count_queries, entry, org_nomination, organisation

from recognition.nominations.models import Nomination
from recognition.nominees.models import RegisterMatch

REGISTERS = "/secretariat/register"
REGISTER = "/secretariat/register/sasakawa_award"
IMPORT = REGISTER + "/import"
CONFIRM = IMPORT + "/confirm"


def text(response) -> str:
    return response.get_data(as_text=True)


def resolve_url(nomination, register_entry) -> str:
    return f"/nominations/{nomination.id}/register-matches/{register_entry.id}"


def resolve(client, nomination, register_entry, resolution, seen="unresolved", version=None):
    version = nomination.version if version is None else version
    return client.post(
        resolve_url(nomination, register_entry),
        data={"resolution": resolution, "seen": seen, "version": str(version)},
    )


def matches(db) -> list[tuple]:
    return [
        (m.entry_id, m.resolution, m.resolved_by_id is not None, m.resolved_at is not None)
        for m in db.session.scalars(sa.select(RegisterMatch).order_by(RegisterMatch.id))
    ]


def _focal_point(db):
    return factories.make_focal_point()


def _reviewer(db):
    return factories.make_reviewer()


@pytest.mark.parametrize("make", [_focal_point, _reviewer], ids=["focal-point", "reviewer"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", REGISTERS), ("get", REGISTER), ("get", IMPORT), ("post", IMPORT), ("post", CONFIRM)],
)
def test_only_the_secretariat_reaches_the_register(db, login_as, make, method, path):
    user = make(db)
    db.session.commit()
    response = getattr(login_as(user), method)(path)
    assert response.status_code == 403


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(REGISTER)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_secretariat_index_links_the_registers(db, as_officer):
    assert f'href="{REGISTERS}"' in text(as_officer.get("/secretariat/"))


def test_the_registers_page_counts_entries_per_programme(db, as_officer):
    entry("Almaty City Hall")
    entry("Kenya Red Cross", "KE")
    db.session.commit()
    html = text(as_officer.get(REGISTERS))
    assert "UN Sasakawa Award for Disaster Risk Reduction" in html
    assert "<td>2</td>" in html


def test_the_register_is_searched_by_name_whatever_the_accents(db, as_officer):
    entry("Alcaldía de Manizales", "CO")
    entry("Kenya Red Cross", "KE")
    db.session.commit()
    html = text(as_officer.get(REGISTER + "?q=ALCALDIA"))
    assert "Alcaldía de Manizales" in html and "Kenya Red Cross" not in html


def test_the_register_is_filtered_by_level(db, as_officer):
    entry("Almaty City Hall", level="laureate")
    entry("Kenya Red Cross", "KE", level="merit")
    db.session.commit()
    html = text(as_officer.get(REGISTER + "?level=merit"))
    assert "Kenya Red Cross" in html and "Almaty City Hall" not in html


def test_the_register_is_paginated(app, db, as_officer, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 2)
    for year in (2001, 2002, 2003):
        entry(f"Laureate of {year}", year=year)
    db.session.commit()
    first, last = text(as_officer.get(REGISTER)), text(as_officer.get(REGISTER + "?page=2"))
    assert "Laureate of 2003" in first and "Laureate of 2001" not in first
    assert "Laureate of 2001" in last


def test_the_register_page_runs_the_same_queries_whatever_its_size(db, as_officer):
    def queries(size: int) -> int:
        for n in range(size):
            entry(f"Organisation {size}-{n}", year=2000 + n % 20)
        db.session.commit()
        with count_queries() as statements:
            response = as_officer.get(REGISTER + "?q=organisation&page=2")
        assert response.status_code == 200
        return len(statements)

    assert queries(30) == queries(600) <= 8


# -- the panel on the nomination's page ------------------------------------------------------


def test_the_secretariat_sees_the_possible_matches(db, as_officer, submitted):
    entry("Municipality of Almaty", "KZ", year=2011)
    entry("Almaty city-hall", "KZ", year=2015, level="laureate")
    db.session.commit()
    html = text(as_officer.get(f"/nominations/{submitted.id}"))
    assert "Possible matches in the register of past laureates" in html
    assert "Municipality of Almaty" in html and "Not resolved" in html
    assert "Same name and country" in html  # the exact one: no button, it excludes
    assert html.count('value="same"') == 1


def test_the_panel_says_when_nothing_matches(db, as_officer, submitted):
    html = text(as_officer.get(f"/nominations/{submitted.id}"))
    assert "No past Laureate in the register has this nominee" in html


def test_the_nominator_does_not_see_the_panel(db, login_as, submitted, nominator):
    entry("Municipality of Almaty", "KZ")
    db.session.commit()
    response = login_as(nominator).get(f"/nominations/{submitted.id}")
    assert response.status_code == 200
    assert "Municipality of Almaty" not in text(response)


def test_a_different_nominee_is_recorded_with_who_and_when(db, as_officer, submitted, officer):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    response = resolve(as_officer, submitted, near, "different")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/nominations/{submitted.id}#register-matches")
    assert matches(db) == [(near.id, "different", True, True)]
    html = text(as_officer.get(f"/nominations/{submitted.id}"))
    assert "Different nominee" in html and "Officer" in html


def test_answering_twice_records_once(db, as_officer, submitted):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    version = submitted.version
    resolve(as_officer, submitted, near, "same", version=version)
    again = resolve(as_officer, submitted, near, "same", version=version)  # a double click
    assert again.status_code == 302
    assert matches(db) == [(near.id, "same", True, True)]


def test_an_answer_can_be_changed(db, as_officer, submitted):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    resolve(as_officer, submitted, near, "same")
    current = db.session.get(Nomination, submitted.id)
    resolve(as_officer, current, near, "different", seen="same")
    assert matches(db) == [(near.id, "different", True, True)]


def test_someone_else_s_answer_is_not_overwritten(db, as_officer, submitted):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    resolve(as_officer, submitted, near, "same")
    stale = resolve(as_officer, submitted, near, "different", seen="unresolved")
    assert stale.status_code == 409
    assert matches(db) == [(near.id, "same", True, True)]


def test_an_answer_on_a_nomination_that_moved_on_is_refused(db, as_officer, submitted):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    stale = resolve(as_officer, submitted, near, "different", version=submitted.version - 1)
    assert stale.status_code == 409
    assert matches(db) == []


def test_an_answer_moves_the_nomination_s_version_on(db, as_officer, submitted):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    before = submitted.version
    resolve(as_officer, submitted, near, "different")
    assert db.session.get(Nomination, submitted.id).version == before + 1


def test_accepting_after_a_different_nominee_goes_through_the_page(db, as_officer, submitted):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    resolve(as_officer, submitted, near, "different")
    current = db.session.get(Nomination, submitted.id)
    as_officer.post(
        f"/workflow/nomination/{current.id}/accept",
        data={"version": str(current.version), "next": f"/nominations/{current.id}"},
    )
    assert db.session.get(Nomination, submitted.id).state == "under_review"


def test_a_nominator_cannot_resolve(db, login_as, submitted, nominator):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    response = resolve(login_as(nominator), submitted, near, "different")
    assert response.status_code == 403
    assert matches(db) == []


@pytest.mark.parametrize("make", [_focal_point, _reviewer], ids=["focal-point", "reviewer"])
def test_others_cannot_even_see_what_to_resolve(db, login_as, submitted, make):
    near = entry("Municipality of Almaty", "KZ")
    user = make(db)
    db.session.commit()
    response = resolve(login_as(user), submitted, near, "same")
    assert response.status_code == 404
    assert matches(db) == []


def test_an_entry_that_is_no_possible_match_cannot_be_resolved(db, as_officer, submitted):
    other = entry("Kenya Red Cross", "KE")
    db.session.commit()
    assert resolve(as_officer, submitted, other, "same").status_code == 404
    assert matches(db) == []


@pytest.mark.parametrize("resolution", ["", "unresolved", "maybe"])
def test_only_same_or_different_is_an_answer(db, as_officer, submitted, resolution):
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    assert resolve(as_officer, submitted, near, resolution).status_code == 400


def test_a_decided_nomination_is_not_resolved_any_more(db, as_officer, award_call):
    nomination = org_nomination(
        organisation("Almaty City Hall", "KZ"), state="ineligible", call=award_call
    )
    near = entry("Municipality of Almaty", "KZ")
    db.session.commit()
    assert resolve(as_officer, nomination, near, "same").status_code == 403
    assert 'value="same"' not in text(as_officer.get(f"/nominations/{nomination.id}"))
