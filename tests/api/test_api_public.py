"""The public API: what the public pages show, as JSON, to anyone, in the language asked."""

from __future__ import annotations

import factories

from recognition.extensions import db
from recognition.timeutil import utcnow


def _announced_world():
    call = factories.make_call(
        state="announced", title="Role Model Cities 2025", cycle="2025", announced_at=utcnow()
    )
    recognised = factories.make_nomination(
        call=call,
        city=factories.make_city(name="Dakar", country="SN"),
        state="announced",
        areas_of_strength=[1, 3, 5, 7, 9],
    )
    hidden = factories.make_nomination(
        call=call, city=factories.make_city(name="Lyon", country="FR"), state="not_recognised"
    )
    draft = factories.make_nomination(city=factories.make_city(name="Quito"), state="draft")
    db.session.commit()
    return call, recognised, hidden, draft


def test_programmes_are_listed_in_the_language_asked(client):
    english = client.get("/api/v1/programmes").json
    french = client.get("/api/v1/programmes", headers={"Accept-Language": "fr"}).json
    ids = [p["id"] for p in english]
    assert "role_model_city" in ids and "sasakawa_award" in ids
    assert [p["id"] for p in french] == ids
    assert {p["title"] for p in french} != {p["title"] for p in english}


def test_recognised_lists_only_announced_recognitions(app, client):
    call, recognised, _hidden, _draft = _announced_world()
    page = client.get("/api/v1/recognised").json
    assert page["total"] == 1
    [item] = page["items"]
    assert item["nomination_id"] == recognised.id
    assert item["nominee"]["name"] == "Dakar"
    assert item["areas_of_strength"] == [1, 3, 5, 7, 9]
    assert item["call"]["id"] == call.id
    assert client.get("/api/v1/recognised?country=fr").json["total"] == 0
    assert client.get("/api/v1/recognised?country=sn&year=2025").json["total"] == 1
    assert client.get("/api/v1/recognised?q=dak").json["total"] == 1


def test_a_city_without_an_announced_recognition_is_not_found(app, client):
    _call, recognised, hidden, draft = _announced_world()
    assert client.get(f"/api/v1/recognised/cities/{recognised.city_id}").status_code == 200
    for other in (hidden, draft):
        response = client.get(f"/api/v1/recognised/cities/{other.city_id}")
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 404


def test_announcements_say_what_each_call_recognised(app, client):
    call, recognised, _hidden, _draft = _announced_world()
    page = client.get("/api/v1/announcements").json
    assert [(a["id"], a["recognised"]) for a in page["items"]] == [(call.id, 1)]
    detail = client.get(f"/api/v1/announcements/{call.id}").json
    assert [r["nomination_id"] for r in detail["recognitions"]] == [recognised.id]
    assert client.get("/api/v1/announcements?programme=nothing").json["total"] == 0


def test_an_unannounced_call_is_no_announcement(app, client):
    call = factories.make_call(state="reviewing")
    db.session.commit()
    assert client.get(f"/api/v1/announcements/{call.id}").status_code == 404


def test_calls_show_anonymous_readers_what_the_calls_page_shows(app, client):
    open_call = factories.make_call(state="open", title="Open call")
    draft = factories.make_call(state="draft", title="Draft call")
    db.session.commit()
    ids = [c["id"] for c in client.get("/api/v1/calls").json["items"]]
    assert open_call.id in ids and draft.id not in ids
    assert client.get(f"/api/v1/calls/{draft.id}").status_code == 404
    accepting = client.get("/api/v1/calls?accepting=true").json["items"]
    assert [c["id"] for c in accepting] == [open_call.id]
    assert accepting[0]["accepting"] is True


def test_public_reads_are_cacheable_and_conditional(app, client):
    _announced_world()
    first = client.get("/api/v1/recognised")
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get("/api/v1/recognised", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "Set-Cookie" not in first.headers


def test_errors_are_problem_details_in_the_language_asked(client):
    response = client.get("/api/v1/calls/2147483647", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == 404 and body["type"] == "about:blank"
    assert body["instance"] == "/api/v1/calls/2147483647"
    english = client.get("/api/v1/calls/2147483647").json
    assert body["title"] != english["title"]
    unknown = client.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"


def test_invalid_arguments_say_which_and_why(client):
    response = client.get("/api/v1/recognised?per_page=1000&country=France")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    errors = response.json["errors"]["query"]
    assert set(errors) == {"per_page", "country"}


def test_browsers_on_other_sites_may_read(client):
    response = client.get("/api/v1/programmes", headers={"Origin": "https://dashboard.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/nominations/1/answers",
        headers={
            "Origin": "https://dashboard.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_the_description_is_openapi_3_1(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert "/api/v1/recognised" in spec["paths"]
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_the_documentation_page_uses_vendored_assets(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "http" not in html.split("swagger-ui-bundle.js")[0].rsplit("src=", 1)[1]
    asset = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()
