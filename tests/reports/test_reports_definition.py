"""The annual report workflow as data: its tags, its worklists' filter, and the engine
refusing an incomplete report whatever page asks."""

from __future__ import annotations

import pytest

from recognition.extensions import db
from recognition.reports.models import AnnualReport
from recognition.workflow.engine import ConditionNotMet, fire
from recognition.workflow.registry import definition_for, has_tag


def test_the_states_say_what_they_mean(app):
    definition = definition_for(AnnualReport)
    assert definition.states_tagged("awaited") == ("due", "returned")
    assert definition.states_tagged("in") == ("submitted", "accepted")
    assert definition.initial == "due"
    assert definition.worklists["reports_overdue"].filter == "annual_report_overdue"


def test_an_incomplete_report_is_refused_by_the_engine(world, opened):
    report = db.session.get(AnnualReport, opened.lima.id)
    report.peer_exchanges = "Mentoría a Cusco."  # nobody named to share with
    with pytest.raises(ConditionNotMet) as refused:
        fire(report, "submit", world.rosa)
    assert "with whom" in str(refused.value.message)
    report.shared_with = "Cusco (PE)"
    fire(report, "submit", world.rosa)
    assert has_tag(report, "in") and report.submitted_at is not None
