"""The synthetic campaign (``flask recognition demo --scale N``) looks like a real one: its
last cycle is decided and announced on the public pages, its accounts sign in through the
login form, and every object's state is where its history of transitions leads."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from recognition.accounts.models import City, User
from recognition.audit.records import verify
from recognition.extensions import db as _db
from recognition.nominations.guards import call_nominations_decided, city_not_yet_told
from recognition.nominations.models import Nomination
from recognition.nominees.models import RegisterEntry
from recognition.programmes.guards import call_announcement_written
from recognition.programmes.models import Call
from recognition.review.models import Assignment
from recognition.scale import load_campaign, reviewer_email
from recognition.secretariat.operations import prepare_decision
from recognition.workflow.definition import CREATED
from recognition.workflow.history import WorkflowEvent
from recognition.workflow.registry import definition_for, has_tag
from recognition.workflow.security import global_roles

PASSWORD = "synthetic-password-1"
CITY_LINK = re.compile(r'href="/recognised/cities/(\d+)"')
REVIEW_LINK = re.compile(r'href="/reviews/(\d+)"')


@pytest.fixture
def campaign(app):
    return load_campaign(60, last_cycle=40, password=PASSWORD)


def nominations(call: Call) -> list[Nomination]:
    return list(
        _db.session.scalars(
            sa.select(Nomination).where(Nomination.call_id == call.id).order_by(Nomination.id)
        )
    )


def links(client, path: str, pattern: re.Pattern) -> set[int]:
    """The ids ``pattern`` finds on every page of a paginated list."""
    found: set[int] = set()
    for number in range(1, 50):
        response = client.get(f"{path}{'&' if '?' in path else '?'}page={number}")
        assert response.status_code == 200, path
        more = {int(i) for i in pattern.findall(response.get_data(as_text=True))}
        if more <= found:
            return found
        found |= more
    raise AssertionError(f"{path}: more pages than expected")


def sign_in(client, email: str, password: str):
    """Sign in through the login form, with the CSRF token of the page, as a browser does."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_both_cycles_hold_every_stage_of_a_campaign(campaign):
    definition = definition_for(Nomination)
    tags = {t for n in nominations(campaign.call) for t in definition.states[n.state].tags}
    assert {"unsubmitted", "screening", "revision", "in_review", "outcome", "recognition"} <= tags
    assert "public" not in tags  # decided, not yet announced: kept from the cities
    last = nominations(campaign.last_call)
    assert has_tag(campaign.last_call, "public") and not has_tag(campaign.call, "public")
    assert {definition.states[n.state].tags & {"public", "outcome"} for n in last} >= {
        frozenset({"public", "outcome"}),
        frozenset({"outcome"}),
    }
    assert len(last) == 40 and len(nominations(campaign.call)) == 60


def test_public_pages_list_the_announced_recognitions_and_nothing_else(client, campaign):
    public = {n.city_id for n in nominations(campaign.last_call) if has_tag(n, "public")}
    assert public
    assert links(client, "/recognised", CITY_LINK) == public
    announcement = client.get(f"/announcements/{campaign.last_call.id}")
    assert set(map(int, CITY_LINK.findall(announcement.get_data(as_text=True)))) == public
    assert client.get(f"/announcements/{campaign.call.id}").status_code == 404
    city = _db.session.get(City, min(public))
    page = client.get(f"/recognised/cities/{city.id}").get_data(as_text=True)
    assert city.name in page


def test_decisions_and_the_announcement_carry_their_data(campaign):
    officer = _db.session.scalar(sa.select(User).where(User.email == campaign.secretariat))
    last = campaign.last_call
    assert call_nominations_decided(last, officer, {}) is None
    assert call_announcement_written(last, officer, {}) is None
    decided = [
        n for call in (campaign.call, last) for n in nominations(call) if has_tag(n, "outcome")
    ]
    assert decided
    for nomination in decided:
        assert nomination.decided_by_id == officer.id and nomination.decision_comment
        if has_tag(nomination, "recognition"):
            # The areas the decision form pre-fills from the reviewers' scores.
            prepared = prepare_decision(nomination, officer, {})
            assert nomination.areas_of_strength == prepared["areas"]
            assert len(nomination.areas_of_strength) >= 5
        else:
            assert nomination.areas_of_strength == []
        if nomination.call_id == last.id:
            assert nomination.announced_at == last.announced_at
        else:
            assert nomination.announced_at is None
    told = [n for n in decided if n.call_id == last.id and not has_tag(n, "recognition")]
    assert told and all(city_not_yet_told(n, officer, {}) is not None for n in told)
    public = [n for n in decided if has_tag(n, "public")]
    codes = {n.verification_code for n in public}
    assert None not in codes and len(codes) == len(public)
    assert all(n.valid_from == last.announced_at.date() for n in public)
    entries = _db.session.scalars(sa.select(RegisterEntry.nomination_id)).all()
    assert sorted(entries) == sorted(n.id for n in public)


def test_every_state_is_where_its_history_leads(campaign):
    officer_id = _db.session.scalar(sa.select(User.id).where(User.email == campaign.secretariat))
    for model in (Call, City, Nomination, Assignment):
        definition = definition_for(model)
        events: dict[int, list[WorkflowEvent]] = {}
        for event in _db.session.scalars(
            sa.select(WorkflowEvent)
            .where(WorkflowEvent.object_type == definition.applies_to)
            .order_by(WorkflowEvent.id)
        ):
            events.setdefault(event.object_id, []).append(event)
        objects = _db.session.scalars(sa.select(model)).all()
        assert objects and set(events) == {o.id for o in objects}, model
        for obj in objects:
            rows = events[obj.id]
            assert (rows[0].transition, rows[0].to_state) == (CREATED, definition.initial)
            for before, row in zip(rows, rows[1:], strict=False):
                assert row.from_state == before.to_state and row.at >= before.at
                assert definition.walk([row.transition], start=row.from_state) == row.to_state
            assert getattr(obj, definition.state_attribute) == rows[-1].to_state
            if model is Nomination and obj.decided_at is not None:
                [decision] = [r for r in rows if r.at == obj.decided_at]
                assert decision.actor_id == officer_id
                assert decision.comment == obj.decision_comment
            if model is Assignment:
                assert {r.actor_id for r in rows[1:]} <= {obj.reviewer_id}


def test_a_synthetic_reviewer_signs_in_and_sees_their_reviews(client, csrf_on, campaign):
    email = reviewer_email(campaign.call.id, 0)
    response = sign_in(client, email, PASSWORD)
    assert response.status_code == 302
    reviewer = _db.session.scalar(sa.select(User).where(User.email == email))
    mine = set(
        _db.session.scalars(sa.select(Assignment.id).where(Assignment.reviewer_id == reviewer.id))
    )
    shown: set[int] = set()
    # The reviewer's own worklists: those of a local role.
    for worklist in definition_for(Assignment).worklists.values():
        if global_roles().isdisjoint(worklist.roles):
            shown |= links(client, f"/reviews?group={worklist.id}", REVIEW_LINK)
    # Every review of both cycles is listed, and nobody else's.
    assert mine and shown == mine
    calls = {_db.session.get(Assignment, i).nomination.call_id for i in mine}
    assert calls == {campaign.call.id, campaign.last_call.id}


def test_the_synthetic_secretariat_signs_in(client, csrf_on, campaign):
    assert sign_in(client, campaign.secretariat, PASSWORD).status_code == 302
    assert client.get(f"/secretariat/calls/{campaign.call.id}/dashboard").status_code == 200


def test_without_a_password_nobody_signs_in(client, csrf_on, app):
    campaign = load_campaign(20)
    for email in (campaign.secretariat, reviewer_email(campaign.call.id, 0)):
        response = sign_in(client, email, "")
        assert response.status_code == 200  # the form again, with its error
        assert sign_in(client, email, PASSWORD).status_code == 200


def test_the_demo_command_prints_logins_that_work(app, csrf_on, runner):
    result = runner.invoke(args=["recognition", "demo", "--scale", "40"])
    assert result.exit_code == 0, result.output
    assert "announced (10 nominations)" in result.output  # a quarter of --scale by default
    password = re.search(r"password for all: (\S+)\)", result.output).group(1)
    secretariat = re.search(r"synthetic\.secretariat\.\d+@example\.org", result.output).group(0)
    reviewers = re.search(r"(synthetic\.reviewer\.\d+\.)N(@\S+), N = 0 … (\d+)", result.output)
    assert reviewers.group(3) == "2"  # at least three reviewers
    last_reviewer = reviewers.group(1) + reviewers.group(3) + reviewers.group(2)
    for email in (secretariat, last_reviewer):
        assert sign_in(app.test_client(), email, password).status_code == 302, email


def test_its_history_is_chained_and_last_cycles_announcement_sealed(campaign, client):
    """Every synthetic row is linked as the engine links them, and last cycle's call carries
    the seal its announcement would have made: ``audit verify`` finds nothing to report, and
    the public announcement page shows the head."""
    report = verify()
    assert report.problems == []
    assert report.seals == 1
    sealed = _db.session.get(Call, campaign.last_call.id).record_head
    assert sealed
    html = client.get(f"/announcements/{campaign.last_call.id}").get_data(as_text=True)
    assert sealed in html
