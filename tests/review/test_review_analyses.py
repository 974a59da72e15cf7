"""The analyses that read a round's every score (fairness, robustness): weighed on the page
for a small round; for a large one, computed once in the background, stored for every app
server, and shown "as of" while newer ones are computed."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import factories
import pytest
import sqlalchemy as sa
from races import race
from review_support import submit_scores, text

from recognition.extensions import db
from recognition.review import analyses
from recognition.review.fairness import FAIRNESS, call_fairness
from recognition.review.models import KeptAnalysis, KeptRound
from recognition.review.robustness import Verdict, reading
from recognition.review.robustness.reading import ROBUSTNESS, verdict_for
from recognition.timeutil import utcnow

# Accra ranks first only with Dev's scores (robust once Accra's other reviewers agree).
HINGES = {"Accra": {"Ana": 7, "Ben": 8, "Dev": 10}, "Bergen": {"Ana": 8, "Ben": 8, "Chloé": 7}}
BEING_COMPUTED = "the verdict is being computed in the background"


@pytest.fixture
def scored(db):
    """A Sasakawa call under review, scored as HINGES, and a secretariat officer."""

    def make(state="reviewing", languages=("en", "fr")):
        call = factories.make_call(
            programme_id="sasakawa_award", state=state, announcement={"en": "Our laureate."}
        )
        people = {
            name: factories.make_reviewer(name=f"{name} Reviewer")
            for name in ("Ana", "Ben", "Chloé", "Dev")
        }
        decided = state == "decided"
        for (city, table), language in zip(HINGES.items(), languages, strict=True):
            extra = {"award_level": "laureate"} if decided and city == "Accra" else {}
            nomination = factories.make_nomination(
                call=call,
                city=factories.make_city(name=city),
                state=("recognised" if city == "Accra" else "not_recognised")
                if decided
                else "under_review",
                language=language,
                **extra,
            )
            for reviewer, value in table.items():
                submit_scores(factories.make_assignment(nomination, people[reviewer]), value)
        officer = factories.make_secretariat(email="analyst@secretariat.example")
        db.session.commit()
        return call, officer

    return make


@pytest.fixture
def large(app, monkeypatch):
    """Every round counts as large: its analyses are computed in the background."""
    monkeypatch.setitem(app.config, "RECOGNITION_ANALYSIS_INLINE_SCORES", 0)
    analyses.forget()
    yield
    analyses.wait()
    analyses.forget()


def starts(monkeypatch) -> list[tuple]:
    """Record the background computations started (and still start them)."""
    started: list[tuple] = []
    start = analyses._start

    def recorded(key, *args):
        started.append(key)
        start(key, *args)

    monkeypatch.setattr(analyses, "_start", recorded)
    return started


def panel(html: str) -> str:
    found = re.search(r'aria-labelledby="robustness-heading".*?</section>', html, re.S)
    assert found, "no robustness panel on the page"
    return found.group(0)


def fairness_section(html: str) -> str:
    return re.search(r'<section class="mt-4" id="fairness".*?</section>', html, re.S).group(0)


def stored(call, kind: str) -> KeptAnalysis | None:
    return db.session.get(KeptAnalysis, (call.id, "review", kind), populate_existing=True)


def move_round(call) -> None:
    """As a review counted or uncounted does: the round's generation moves on."""
    db.session.get(KeptRound, (call.id, "review")).generation += 1
    db.session.commit()


def test_values_read_back_from_json_as_they_were(scored, app):
    call, _officer = scored()
    round_ = call.programme.round("review")
    with app.test_request_context():
        verdict = verdict_for(call, round_)[0].value
        figures = call_fairness(call).value
    assert verdict.hinges and verdict.shares  # tuples of dataclasses, floats, frozen
    assert analyses.decode(Verdict | None, json.loads(analyses.encode(verdict))) == verdict
    assert analyses.decode(ROBUSTNESS.type, None) is None
    read_back = analyses.decode(FAIRNESS.type, json.loads(analyses.encode(figures)))
    assert read_back == figures
    assert read_back.by_nomination_language and read_back.severities


def test_a_small_round_is_weighed_on_the_page_and_stores_nothing(scored, login_as):
    call, officer = scored()
    html = text(login_as(officer).get(f"/secretariat/calls/{call.id}/ranking"))
    assert "hinge on one reviewer" in panel(html)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptAnalysis)) == 0


def test_a_large_round_is_weighed_once_in_the_background_then_read_by_every_server(
    scored, large, login_as, monkeypatch, app
):
    call, officer = scored()
    client = login_as(officer)
    address = f"/secretariat/calls/{call.id}/ranking"
    started = starts(monkeypatch)
    first = panel(text(client.get(address)))
    assert BEING_COMPUTED in first and "Dev Reviewer" not in first
    assert len(started) == 1
    analyses.wait()
    row = stored(call, "robustness")
    assert row.payload and row.stamp.startswith(
        f"{db.session.get(KeptRound, (call.id, 'review')).generation}:"
    )
    assert row.lease_until is None

    # Another app server: it reads the stored verdict and weighs nothing.
    analyses.forget()
    monkeypatch.setattr(reading, "submitted_scores", lambda *a, **k: pytest.fail("weighed again"))
    shown = panel(text(client.get(address)))
    assert "hinge on one reviewer" in shown and "Dev Reviewer" in shown
    assert BEING_COMPUTED not in shown and "robustness-as-of" not in shown
    monkeypatch.undo()

    # What a small round shows on the page is what the background stored.
    monkeypatch.setitem(app.config, "RECOGNITION_ANALYSIS_INLINE_SCORES", 10**9)
    analyses.forget()
    assert panel(text(client.get(address))) == shown
    assert started == [started[0]]


def test_after_the_round_moves_the_page_says_as_of_until_the_new_verdict_is_stored(
    scored, large, login_as, monkeypatch
):
    call, officer = scored()
    analyses.refresh_all(call)
    client = login_as(officer)
    address = f"/secretariat/calls/{call.id}/ranking"
    assert "hinge on one reviewer" in panel(text(client.get(address)))
    db.session.execute(sa.text("UPDATE scores SET value = 9 WHERE value = 7"))
    move_round(call)
    started = starts(monkeypatch)
    stale = panel(text(client.get(address)))
    assert 'id="robustness-as-of"' in stale and "hinge on one reviewer" in stale
    # A second view while it is computed starts nothing more: the lease is taken.
    client.get(address)
    assert len(started) == 1
    analyses.wait()
    now = panel(text(client.get(address)))
    assert ">robust</span>" in now and "robustness-as-of" not in now


def test_a_lease_left_by_a_stopped_process_is_taken_once_it_expires(
    scored, large, login_as, monkeypatch
):
    call, officer = scored()
    analyses.refresh_all(call)
    move_round(call)
    row = stored(call, "robustness")
    row.lease_until = utcnow() + timedelta(minutes=1)
    db.session.commit()
    started = starts(monkeypatch)
    client = login_as(officer)
    address = f"/secretariat/calls/{call.id}/ranking"
    assert 'id="robustness-as-of"' in text(client.get(address))
    assert started == []
    row = stored(call, "robustness")
    row.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    client.get(address)
    assert len(started) == 1
    analyses.wait()
    assert "robustness-as-of" not in text(client.get(address))


def test_the_dashboard_s_fairness_figures_are_computed_in_the_background(scored, large, login_as):
    call, officer = scored()
    client = login_as(officer)
    address = f"/secretariat/calls/{call.id}/dashboard"
    first = fairness_section(text(client.get(address)))
    assert 'id="fairness-being-computed"' in first
    assert 'id="fairness-nomination-languages"' not in first
    analyses.wait()
    ready = fairness_section(text(client.get(address)))
    assert 'id="fairness-nomination-languages"' in ready and "fairness-as-of" not in ready
    move_round(call)
    stale = fairness_section(text(client.get(address)))
    assert 'id="fairness-as-of"' in stale and 'id="fairness-nomination-languages"' in stale
    analyses.wait()
    assert "fairness-as-of" not in fairness_section(text(client.get(address)))


def test_the_announcement_s_confirmation_weighs_the_scores_as_they_are_now(
    scored, large, login_as, monkeypatch
):
    call, officer = scored(state="decided")
    analyses.refresh_all(call)
    db.session.execute(sa.text("UPDATE scores SET value = 9 WHERE value = 7"))
    move_round(call)
    before = stored(call, "robustness").payload
    started = starts(monkeypatch)
    html = text(login_as(officer).get(f"/workflow/call/{call.id}/announce"))
    assert "Robust: without any one reviewer" in html
    assert started == [] and stored(call, "robustness").payload == before


@pytest.mark.postgres_only
def test_one_process_of_many_takes_the_lease(app, scored, large):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no concurrent writers")
    call, _officer = scored()
    analyses.refresh_all(call)
    move_round(call)
    key = (str(db.engine.url), call.id, call.created_at, "review", "robustness")

    def claim():
        return analyses._claim(stored(call, "robustness"), key)

    assert sorted(race(app, [claim] * 6)) == [False] * 5 + [True]
