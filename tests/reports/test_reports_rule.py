"""The rule annual_reports_submitted: a renewal waits until every report the renewed
recognition owes is submitted; a nomination that renews nothing passes."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import factories
import pytest
from reports_support import complete, open_at

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.reports.models import AnnualReport
from recognition.workflow import guards
from recognition.workflow.engine import ConditionNotMet, fire
from recognition.workflow.registry import run_checks
from recognition.workflow.rules import Rule

RULE = "annual_reports_submitted"


def holds(nomination):
    return guards.get(RULE).func(nomination, None, {})


def renewal_of(recognition):
    """A nomination renewing ``recognition``, before it is created (as creation checks it)."""
    return Nomination(call=recognition.call, city=recognition.city, renews_id=recognition.id)


def test_a_nomination_that_renews_nothing_holds(world, opened):
    assert holds(world.lima_hub) is None
    assert holds(factories.make_nomination(city=world.lima)) is None


def test_a_renewal_with_a_report_missing_is_refused_and_says_how_many(world, opened):
    assert str(holds(renewal_of(world.lima_hub))) == (
        "1 annual report of the recognition you renew is not submitted yet: submit it first."
    )


def test_the_refusal_counts_every_report_owed(db, world):
    open_at(datetime(2029, 6, 1))
    assert str(holds(renewal_of(world.lima_hub))) == (
        "2 annual reports of the recognition you renew are not submitted yet: submit them first."
    )


@pytest.mark.parametrize("state", ["submitted", "accepted"])
def test_with_every_report_in_it_holds(world, opened, state):
    report = db.session.get(AnnualReport, opened.lima.id)
    report.submitted_at = report.created_at
    report.state = state
    db.session.flush()
    assert holds(renewal_of(world.lima_hub)) is None


def test_a_returned_report_is_still_missing(world, opened):
    report = db.session.get(AnnualReport, opened.lima.id)
    report.submitted_at = report.created_at
    report.state = "returned"
    db.session.flush()
    assert holds(renewal_of(world.lima_hub)) is not None


def test_another_recognition_s_reports_do_not_count(world, opened):
    """Lima's renewal waits for Lima's report only, whatever Auckland owes."""
    lima = db.session.get(AnnualReport, opened.lima.id)
    lima.submitted_at, lima.state = lima.created_at, "submitted"
    db.session.flush()
    assert holds(renewal_of(world.lima_hub)) is None
    assert holds(renewal_of(world.auckland_hub)) is not None


@pytest.fixture
def programme_rule(app, monkeypatch):
    """The Sasakawa Award naming the rule for submission, as a programme file would."""
    programmes = dict(app.extensions["programmes"])
    sasakawa = programmes["sasakawa_award"]
    rules = dict(sasakawa.rules)
    rules["create"] = (*rules.get("create", ()), Rule(RULE))
    rules["submit"] = (*rules.get("submit", ()), Rule(RULE))
    programmes["sasakawa_award"] = dataclasses.replace(sasakawa, rules=rules)
    monkeypatch.setitem(app.extensions, "programmes", programmes)


def test_a_programme_may_name_the_rule(programmes, programme_rule):
    assert run_checks() == []


def test_the_engine_refuses_to_submit_a_renewal_until_the_report_is_in(
    world, opened, programme_rule, login_as
):
    renewal = factories.make_ready_nomination("draft", city=world.lima, renews_id=world.lima_hub.id)
    db.session.commit()
    with pytest.raises(ConditionNotMet) as refused:
        fire(renewal, "submit", world.rosa)
    assert "1 annual report of the recognition you renew" in str(refused.value.message)
    db.session.rollback()
    login_as(world.rosa).post(f"/reports/{opened.lima.id}", data=complete())
    renewal = db.session.get(Nomination, renewal.id)
    fire(renewal, "submit", world.rosa)
    assert renewal.state == "submitted"
