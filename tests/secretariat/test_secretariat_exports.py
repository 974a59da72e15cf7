"""Exports of a call as CSV and XLSX: nominations, scores per reviewer, decisions and the
full history; for the secretariat only; formulas typed by users neutralised."""

from __future__ import annotations

import csv
import io
import re
import threading

import factories
import pytest
from openpyxl import load_workbook
from secretariat_support import submit_review

from recognition.workflow.engine import fire

KINDS = ("nominations", "scores", "history")


def export_csv(client, call, kind) -> list[dict[str, str]]:
    response = client.get(f"/secretariat/calls/{call.id}/export/{kind}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def wait_for_workbooks(timeout: float = 120) -> None:
    """Wait until every workbook being prepared in this process is finished."""
    for thread in threading.enumerate():
        if thread.name.startswith("workbook-"):
            thread.join(timeout)
            assert not thread.is_alive(), f"{thread.name} still running after {timeout} s"


def prepared_workbook(client, call) -> bytes:
    """Ask for the call's workbook as the signed-in user, wait for it, and download it."""
    response = client.post(f"/secretariat/calls/{call.id}/workbook")
    assert response.status_code == 302
    wait_for_workbooks()
    page = client.get(f"/secretariat/calls/{call.id}/workbook").get_data(as_text=True)
    [href] = re.findall(rf'href="(/secretariat/calls/{call.id}/workbook/\d+\.xlsx)"', page)
    response = client.get(href)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="call-{call.id}.xlsx"'
    data = response.get_data()
    assert len(data) == response.content_length
    return data


def export_xlsx(client, call) -> dict[str, list[dict]]:
    """Ask for the call's workbook, wait until it is prepared, download it: its sheets."""
    data = prepared_workbook(client, call)
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheets = {}
    for name in book.sheetnames:
        header, *rows = book[name].iter_rows(values_only=True)
        sheets[name] = [dict(zip(header, row, strict=True)) for row in rows]
    book.close()
    return sheets


@pytest.fixture
def records(db, world, officer):
    """Lyon's nomination with answers and two reviews; Porto's recognised; history rows."""
    world.nomination.answers = {
        "population": "513275",
        "motivation": "We plan ahead.",
        "hazards": ["flood", "heat"],
    }
    submit_review(
        world.nomination, 4, reviewer=factories.make_reviewer(name="Ana", email="ana@r.example")
    )
    submit_review(
        world.nomination, 2, reviewer=factories.make_reviewer(name="Ben", email="ben@r.example")
    )
    porto = factories.make_nomination(
        call=world.call,
        city=factories.make_city(name="Porto", country="PT"),
        state="under_review",
    )
    submit_review(porto, 5)
    db.session.flush()
    fire(porto, "recognise", officer, "Exemplary", data={"areas": [1, 2, 3, 4, 5]})
    db.session.commit()
    return world


def test_nominations_csv_has_state_and_answers(as_officer, records):
    rows = {r["nominee"]: r for r in export_csv(as_officer, records.call, "nominations")}
    lyon = rows["Lyon"]
    assert (lyon["state"], lyon["country"]) == ("under_review", "FR")
    assert lyon["population"] == "513275"
    assert lyon["motivation"] == "We plan ahead."
    assert lyon["hazards"] == "flood; heat"


def test_nominations_csv_has_the_decisions(as_officer, records):
    rows = {r["nominee"]: r for r in export_csv(as_officer, records.call, "nominations")}
    porto = rows["Porto"]
    assert porto["state"] == "recognised"
    assert porto["areas_of_strength"] == "1 2 3 4 5"
    assert porto["decision_comment"] == "Exemplary"
    assert porto["decided_by"] == "officer@secretariat.example"
    assert porto["decided_at"].endswith("Z")


def test_nominations_csv_leaves_out_other_calls(db, as_officer, records):
    factories.make_nomination(city=factories.make_city(name="Elsewhere"), state="submitted")
    db.session.commit()
    cities = {r["nominee"] for r in export_csv(as_officer, records.call, "nominations")}
    assert cities == {"Lyon", "Porto"}


def test_scores_csv_names_each_reviewer(as_officer, records):
    rows = export_csv(as_officer, records.call, "scores")
    lyon = [r for r in rows if r["nominee"] == "Lyon" and r["criterion"] == "innovation"]
    assert sorted((r["reviewer_name"], r["reviewer_email"], r["score"]) for r in lyon) == [
        ("Ana", "ana@r.example", "4"),
        ("Ben", "ben@r.example", "2"),
    ]


def test_scores_csv_has_a_row_per_criterion(as_officer, records):
    rows = export_csv(as_officer, records.call, "scores")
    assert len(rows) == 3 * 13


def test_history_csv_has_the_decision(as_officer, records):
    rows = export_csv(as_officer, records.call, "history")
    [row] = [r for r in rows if r["transition"] == "recognise"]
    assert (row["object_type"], row["from"], row["to"]) == (
        "nomination",
        "under_review",
        "recognised",
    )
    assert (row["actor"], row["comment"]) == ("officer@secretariat.example", "Exemplary")


def test_history_csv_has_the_call_events(db, as_officer, records, officer):
    records.call.state = "closed"
    db.session.flush()
    fire(records.call, "start_review", officer)
    db.session.commit()
    rows = export_csv(as_officer, records.call, "history")
    assert [r["transition"] for r in rows if r["object_type"] == "call"] == ["start_review"]


def test_history_csv_leaves_out_other_calls(db, as_officer, records, officer):
    other = factories.make_nomination(state="under_review")
    submit_review(other, 3)
    other.decided_by_id, other.decided_at = officer.id, other.submitted_at
    fire(other, "not_recognise", officer, "Elsewhere")
    db.session.commit()
    rows = export_csv(as_officer, records.call, "history")
    assert "Elsewhere" not in {r["comment"] for r in rows}


def test_xlsx_has_every_sheet(as_officer, records):
    sheets = export_xlsx(as_officer, records.call)
    assert list(sheets) == list(KINDS)
    assert {r["nominee"] for r in sheets["nominations"]} == {"Lyon", "Porto"}
    assert len(sheets["scores"]) == 3 * 13
    assert any(r["transition"] == "recognise" for r in sheets["history"])


def test_xlsx_keeps_numbers_as_numbers(as_officer, records):
    sheets = export_xlsx(as_officer, records.call)
    assert {type(r["nomination_id"]) for r in sheets["nominations"]} == {int}
    assert {type(r["score"]) for r in sheets["scores"]} == {int}


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+2", "-1+2", "@SUM(A1)"])
def test_formulas_are_neutralised_in_csv(db, as_officer, records, formula):
    records.nomination.answers = {**records.nomination.answers, "motivation": formula}
    db.session.commit()
    rows = {r["nominee"]: r for r in export_csv(as_officer, records.call, "nominations")}
    assert rows["Lyon"]["motivation"] == "'" + formula


def test_formulas_are_neutralised_in_xlsx(db, as_officer, records):
    records.nomination.answers = {**records.nomination.answers, "motivation": "=1+1"}
    db.session.commit()
    sheets = export_xlsx(as_officer, records.call)
    [lyon] = [r for r in sheets["nominations"] if r["nominee"] == "Lyon"]
    assert lyon["motivation"] == "'=1+1"


def test_formulas_in_city_names_are_neutralised(db, as_officer, records):
    records.city.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    cities = {r["nominee"] for r in export_csv(as_officer, records.call, "nominations")}
    assert "'=cmd|' /C calc'!A0" in cities


def test_unknown_export_is_404(as_officer, records):
    assert (
        as_officer.get(f"/secretariat/calls/{records.call.id}/export/secrets.csv").status_code
        == 404
    )


EXPORTS = [f"export/{kind}.csv" for kind in KINDS] + ["export.xlsx", "workbook"]


@pytest.mark.parametrize("who", ["focal", "reviewer", "assigned_reviewer"])
@pytest.mark.parametrize("path", EXPORTS)
def test_exports_are_for_the_secretariat(db, login_as, records, who, path):
    if who == "focal":
        user = records.focal
    elif who == "reviewer":
        user = factories.make_reviewer()
    else:
        user = factories.make_reviewer()
        factories.make_assignment(records.nomination, user, state="accepted")
    db.session.commit()
    response = login_as(user).get(f"/secretariat/calls/{records.call.id}/{path}")
    assert response.status_code in (403, 404)
    assert b"ana@r.example" not in response.get_data()


@pytest.mark.parametrize("path", EXPORTS)
def test_exports_need_a_sign_in(client, records, path):
    response = client.get(f"/secretariat/calls/{records.call.id}/{path}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_history_csv_keeps_the_override_reason(db, as_officer, records, officer):
    nomination = records.nomination
    factories.make_assignment(nomination, state="accepted")
    fire(nomination, "not_recognise", officer, data={"override_reason": "Reviewer unreachable"})
    db.session.commit()
    [row] = [
        r
        for r in export_csv(as_officer, records.call, "history")
        if r["transition"] == "not_recognise"
    ]
    assert row["override_reason"] == "Reviewer unreachable"
    assert row["data"] == (
        '{"overridden": ["reviews_complete"], "override_reason": "Reviewer unreachable"}'
    )


def test_history_csv_carries_each_rows_hash_and_link(db, as_officer, records, officer):
    """The history's export can be checked as the history is: each row's hash and link."""
    nomination = records.nomination
    factories.make_assignment(nomination, state="accepted")
    event = fire(nomination, "not_recognise", officer, data={"override_reason": "Unreachable"})
    db.session.commit()
    [row] = [
        r
        for r in export_csv(as_officer, records.call, "history")
        if r["transition"] == "not_recognise"
    ]
    assert (row["hash"], row["prev_hash"], row["definition_hash"]) == (
        event.hash,
        event.prev_hash or "",
        event.definition_hash,
    )
    assert len(row["hash"]) == 64
