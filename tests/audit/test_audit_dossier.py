"""A nomination's decision dossier: exported by the secretariat as JSON or as a PDF carrying
it, checked offline against its own hashed history and the call's published head; any
edit fails the check."""

from __future__ import annotations

import copy
import json

import factories
import pytest
import sqlalchemy as sa

from recognition.audit.dossier import digest
from recognition.audit.offline import check, load, main
from recognition.audit.records import call_head
from recognition.extensions import db as _db
from recognition.programmes.models import Call
from recognition.workflow.chain import review_digest, row_digest
from recognition.workflow.worklists import forget_counts


def export(client, nomination, kind: str = "json"):
    return client.get(f"/audit/nominations/{nomination.id}/dossier.{kind}")


@pytest.fixture
def dossier(announced, login_as):
    response = export(login_as(announced.officer), announced.nominations["Lyon"])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return json.loads(response.data)


def resealed(edited: dict) -> dict:
    """The edit with the dossier's own digest made again, as a forger would."""
    edited["digest"] = digest(edited)
    return edited


def test_an_exported_dossier_checks_against_the_published_head(announced, dossier):
    head = _db.session.get(Call, announced.call.id).record_head
    assert check(dossier, head) == []
    assert dossier["decision"]["areas_of_strength"] == [1, 2, 3, 4, 5]
    assert {r["reviewed_by"]["name"] for r in dossier["reviews"]} == {
        r.name for r in announced.reviewers
    }
    assert {o["object_type"] for o in dossier["call_record"]["objects"]} == {
        "nomination",
        "assignment",
    }
    assert dossier["aggregation"][0]["weighted_total"] is not None


def test_the_offline_command_says_so(tmp_path, dossier, capsys):
    path = tmp_path / "dossier.json"
    path.write_text(json.dumps(dossier))
    assert main([str(path), "--head", dossier["call_record"]["head"]]) == 0
    assert "checks" in capsys.readouterr().out
    assert main([str(path), "--head", "0" * 64]) == 1
    assert "not the one given" in capsys.readouterr().out


def _score(d):
    d["reviews"][0]["scores"][0]["value"] = 1


def _comment(d):
    d["reviews"][0]["comment_confidential"] = "Nothing to add."


def _decision_text(d):
    d["decision"]["comment"] = "Recognised for other reasons."


def _areas(d):
    d["decision"]["areas_of_strength"] = [1, 2, 3, 4, 5, 6]


def _answers(d):
    d["submissions"].append({"number": 9, "at": None, "answers": {"x": 1}, "files": []})


def _history_row(d):
    d["history"][0]["comment"] = "Changed."


def _dropped_row(d):
    del d["history"][1]


def _mean(d):
    d["aggregation"][0]["criteria"][next(iter(d["aggregation"][0]["criteria"]))]["mean"] = 1.0


@pytest.mark.parametrize(
    "edit", [_score, _comment, _decision_text, _areas, _history_row, _dropped_row, _mean]
)
def test_an_edited_dossier_fails_even_with_its_digest_made_again(dossier, edit):
    edited = copy.deepcopy(dossier)
    edit(edited)
    assert check(edited) and check(edited) != check(dossier)
    assert any("digest" in p for p in check(edited))
    assert check(resealed(edited)), "the edit passed once the digest was made again"


def test_an_edited_dossier_with_every_hash_made_again_fails_the_published_head(dossier):
    """A forger who rewrites a score and then every hash after it (review fingerprint, row
    hashes, links) gets a dossier that agrees with itself, but not with the call's head."""
    edited = copy.deepcopy(dossier)
    review = edited["reviews"][0]
    review["comment_for_city"] = "Weak."
    review["digest"] = review_digest(
        [(s["criterion"], s["value"], s["comment"]) for s in review["scores"]],
        review["recommendation"],
        review["comment_for_city"],
        review["comment_confidential"],
    )
    rows = [
        r
        for r in edited["history"]
        if (r["object_type"], r["object_id"]) == (review["object_type"], review["assignment"])
    ]
    rows[-1]["data"]["review"] = review["digest"]
    previous = rows[-1]["prev_hash"]
    for row in rows[len(rows) - 1 :]:
        row["prev_hash"] = previous
        row["hash"] = previous = row_digest(row)
    for proven in edited["call_record"]["objects"]:
        if (proven["object_type"], proven["object_id"]) == (
            rows[0]["object_type"],
            rows[0]["object_id"],
        ):
            proven["head"] = previous
    problems = check(resealed(edited))
    assert problems == [
        f"assignment {review['assignment']}: its chain is not part of the call's record"
    ]


def test_the_pdf_carries_the_dossier(announced, login_as, tmp_path):
    response = export(login_as(announced.officer), announced.nominations["Lyon"], "pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    path = tmp_path / "dossier.pdf"
    path.write_bytes(response.data)
    carried = load(path)
    assert carried["nomination"]["id"] == announced.nominations["Lyon"].id
    assert check(carried, announced.call.record_head) == []
    assert main([str(path)]) == 0


def test_a_dossier_before_the_announcement_checks_without_a_head(db, announced, login_as):
    nomination = factories.make_nomination(call=factories.make_call(state="reviewing"))
    db.session.commit()
    response = export(login_as(announced.officer), nomination)
    carried = json.loads(response.data)
    assert carried["call_record"] is None
    assert check(carried) == []
    assert check(carried, "0" * 64) == [
        "the call is not announced: no published head to check against"
    ]


@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_only_those_who_read_the_audit_log_export_it(announced, login_as, kind):
    lyon = announced.nominations["Lyon"]
    focal = lyon.city.memberships[0].user
    assert export(login_as(focal), lyon, kind).status_code in (403, 404)
    assert export(login_as(announced.reviewers[0]), lyon, kind).status_code in (403, 404)
    assert export(login_as(None), lyon, kind).status_code in (302, 401)


def test_the_nomination_page_links_the_dossier_for_the_secretariat_only(announced, login_as):
    lyon = announced.nominations["Lyon"]
    link = f"/audit/nominations/{lyon.id}/dossier.pdf"
    assert link in login_as(announced.officer).get(f"/nominations/{lyon.id}").get_data(True)
    focal = lyon.city.memberships[0].user
    assert link not in login_as(focal).get(f"/nominations/{lyon.id}").get_data(True)


def test_the_public_announcement_page_publishes_the_head(announced, client):
    head = _db.session.get(Call, announced.call.id).record_head
    html = client.get(f"/announcements/{announced.call.id}").get_data(as_text=True)
    assert head in html


def test_the_audit_page_shows_each_calls_head(announced, login_as):
    html = login_as(announced.officer).get("/secretariat/audit").get_data(as_text=True)
    assert call_head(announced.call.id) in html
    assert announced.call.record_head in html


def test_the_audit_page_computes_again_only_the_heads_of_calls_whose_record_grew(
    db, announced, login_as, monkeypatch
):
    from recognition.audit import records
    from recognition.workflow.engine import fire

    other = factories.make_call(state="open", title="Award 2027")
    db.session.commit()
    client = login_as(announced.officer)
    client.get("/secretariat/audit")
    computed = []
    head = records.call_head
    monkeypatch.setattr(
        records, "call_head", lambda call_id: computed.append(call_id) or head(call_id)
    )
    client.get("/secretariat/audit")
    assert computed == []  # nothing grew
    before = head(other.id)
    fire(other, "close", announced.officer)
    db.session.commit()
    html = client.get("/secretariat/audit").get_data(as_text=True)
    assert computed == [other.id]  # the announced call's record did not grow
    assert head(other.id) != before and head(other.id) in html


def test_a_large_call_s_head_is_computed_in_the_background(
    app, db, announced, login_as, monkeypatch
):
    """Past RECOGNITION_AUDIT_INLINE_NOMINATIONS, the audit page shows the head as last
    computed (or that it is being computed) while a thread computes it."""
    from recognition.review import analyses
    from recognition.workflow.engine import fire

    monkeypatch.setitem(app.config, "RECOGNITION_AUDIT_INLINE_NOMINATIONS", -1)  # every call
    analyses.forget()
    other = factories.make_call(state="open", title="Award 2027")
    db.session.commit()
    client = login_as(announced.officer)
    html = client.get("/secretariat/audit").get_data(as_text=True)
    assert "Being computed in the background" in html
    assert call_head(other.id) not in html
    analyses.wait()
    html = client.get("/secretariat/audit").get_data(as_text=True)
    before = call_head(other.id)
    assert before in html and "Being computed" not in html and "As of" not in html
    fire(other, "close", announced.officer)
    db.session.commit()
    html = client.get("/secretariat/audit").get_data(as_text=True)
    assert before in html and "the head now is being computed in the background" in html
    analyses.wait()
    html = client.get("/secretariat/audit").get_data(as_text=True)
    assert call_head(other.id) in html and before not in html and "As of" not in html
    analyses.forget()


def test_the_calls_sizes_are_read_once_whatever_the_number_of_calls(app, db, announced, login_as):
    """Whether each call's head is computed on the page depends on its size: the audit page
    reads every call's size in one statement, not one per call."""
    for year in (2027, 2028, 2029):
        factories.make_call(state="open", title=f"Award {year}")
    db.session.commit()
    forget_counts()
    sent: list[str] = []
    record = lambda *args: sent.append(args[2])  # noqa: E731
    sa.event.listen(_db.engine, "before_cursor_execute", record)
    try:
        assert login_as(announced.officer).get("/secretariat/audit").status_code == 200
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", record)
    sizes = [s for s in sent if "count(*)" in s and "FROM nominations" in s]
    assert len(sizes) == 1 and "GROUP BY nominations.call_id" in sizes[0]
