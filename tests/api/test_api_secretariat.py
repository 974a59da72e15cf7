"""The secretariat through the API: its worklists with their counts, a worklist's items, a
call's ranking, and the call's exports as JSON, the same rows as the CSV files."""

from __future__ import annotations

import csv
import io

import factories

from recognition.extensions import db
from recognition.review.models import Score


def _call_under_review():
    nomination = factories.make_ready_nomination("under_review")
    for value in (4, 6):
        assignment = factories.make_assignment(nomination, factories.make_reviewer(), "submitted")
        for criterion in nomination.programme.rubric.criteria:
            db.session.add(Score(assignment=assignment, criterion=criterion.id, value=value))
    db.session.commit()
    return nomination


def test_worklists_and_their_items(app, bearer, client):
    nomination = _call_under_review()
    headers = bearer(factories.make_secretariat())
    lists = {
        (w["workflow"], w["id"]): w for w in client.get("/api/v1/worklists", headers=headers).json
    }
    assert lists[("nomination", "under_review")]["count"] == 1
    items = client.get("/api/v1/worklists/nomination/under_review", headers=headers).json
    assert [i["id"] for i in items["items"]] == [nomination.id]
    assert client.get("/api/v1/worklists/nomination/nothing", headers=headers).status_code == 404


def test_the_ranking_as_on_its_page(app, bearer, client):
    nomination = _call_under_review()
    headers = bearer(factories.make_secretariat())
    ranking = client.get(f"/api/v1/calls/{nomination.call_id}/ranking", headers=headers).json
    [row] = ranking["items"]
    assert row["nomination_id"] == nomination.id and row["rank"] == 1
    assert row["reviews"] == 2


def test_the_exports_are_the_csv_rows_as_json(app, bearer, client, login_as):
    nomination = _call_under_review()
    officer = factories.make_secretariat()
    headers = bearer(officer)
    for kind in ("nominations", "scores", "history"):
        exported = client.get(f"/api/v1/calls/{nomination.call_id}/export/{kind}", headers=headers)
        assert exported.status_code == 200
        body = exported.json
        sheet = login_as(officer).get(f"/secretariat/calls/{nomination.call_id}/export/{kind}.csv")
        rows = list(csv.reader(io.StringIO(sheet.get_data(as_text=True).lstrip("\ufeff"))))
        assert body["columns"] == rows[0]
        assert len(body["items"]) == len(rows) - 1
    scores = client.get(f"/api/v1/calls/{nomination.call_id}/export/scores", headers=headers).json
    assert sorted({str(item["score"]) for item in scores["items"]}) == ["4", "6"]


def test_a_city_has_no_ranking_nor_export(app, bearer, client):
    nomination = _call_under_review()
    headers = bearer(factories.make_focal_point(city=nomination.city))
    call = nomination.call_id
    assert client.get(f"/api/v1/calls/{call}/ranking", headers=headers).status_code in (403, 404)
    assert client.get(f"/api/v1/calls/{call}/export/scores", headers=headers).status_code in (
        403,
        404,
    )
