"""Reports open once per anniversary of a current recognition, by the city's calendar, for
the programmes that ask for them; the focal points are told through the outbox."""

from __future__ import annotations

from datetime import date, datetime

import factories
import pytest
import sqlalchemy as sa
from reports_support import REPORTING, open_at, outbox, past_state, recognition, reports

from recognition.reports import operations
from recognition.reports.operations import anniversary, open_due_reports
from recognition.timeutil import clock_at
from recognition.workflow.history import WorkflowEvent

# Midnight of 15 March 2028, the first anniversary, is 11:00 UTC on the 14th in Auckland
# (NZDT, UTC+13) and 05:00 UTC on the 15th in Lima (UTC-5).
MOMENTS = [
    ("auckland_hub", datetime(2028, 3, 14, 10, 59), 0),  # 23:59 on the day before
    ("auckland_hub", datetime(2028, 3, 14, 11, 0), 1),  # the day of (UTC: still the 14th)
    ("auckland_hub", datetime(2028, 9, 1), 1),  # after
    ("lima_hub", datetime(2028, 3, 15, 4, 59), 0),  # the day before (UTC: the 15th already)
    ("lima_hub", datetime(2028, 3, 15, 5, 0), 1),  # the day of
    ("lima_hub", datetime(2028, 9, 1), 1),  # after
]


@pytest.mark.parametrize(("hub", "moment", "expected"), MOMENTS)
def test_a_report_opens_on_the_anniversary_in_the_city_s_calendar(world, hub, moment, expected):
    open_at(moment)
    opened = reports(nomination_id=getattr(world, hub).id)
    assert [(r.year, r.state) for r in opened] == [(1, "due")][:expected]


def test_the_report_is_due_thirty_days_after_the_anniversary(world):
    open_at(datetime(2028, 3, 14, 11, 0))
    (report,) = reports(nomination_id=world.auckland_hub.id)
    assert report.due_on == date(2028, 4, 14)
    assert report.language == world.auckland_hub.language


def test_the_grace_period_is_a_setting(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_REPORT_GRACE_DAYS", 10)
    open_at(datetime(2028, 3, 15, 5, 0))
    (report,) = reports(nomination_id=world.lima_hub.id)
    assert report.due_on == date(2028, 3, 25)


def test_one_report_per_anniversary_and_no_more_than_the_years(world):
    assert open_at(datetime(2029, 3, 15, 12, 0)) == 4  # two years ended, in both cities
    assert open_at(datetime(2029, 3, 16, 12, 0)) == 0
    assert open_at(datetime(2032, 6, 1)) == 2  # the third year each; never a fourth
    years = [(r.nomination_id, r.year) for r in reports()]
    hubs = (world.auckland_hub.id, world.lima_hub.id)
    assert years == [(hub, year) for hub in hubs for year in (1, 2, 3)]


def test_running_twice_opens_nothing_twice_and_tells_once(world):
    assert open_at(datetime(2028, 6, 1)) == 2
    assert open_at(datetime(2028, 6, 1)) == 0
    assert len(reports()) == 2
    recipients = sorted(m.to_email for m in outbox(template="annual_report_due"))
    assert recipients == sorted([world.aroha.email, world.claire.email, world.rosa.email])


def test_a_report_opened_meanwhile_by_another_process_is_skipped(app, db, world, monkeypatch):
    """The unique (recognition, year) refuses the second; its savepoint leaves the rest."""
    open_at(datetime(2028, 6, 1))
    other = recognition(factories.make_city(timezone="Europe/Paris"))
    db.session.commit()
    # As if the run had read the reports before another process opened them.
    monkeypatch.setattr(operations, "_opened", lambda ids: set())
    with clock_at(datetime(2028, 6, 1)):
        assert open_due_reports() == 1  # only the new recognition's
    db.session.commit()
    assert [(r.nomination_id, r.year) for r in reports()] == [
        (world.auckland_hub.id, 1),
        (world.lima_hub.id, 1),
        (other.id, 1),
    ]
    assert len(outbox(template="annual_report_due")) == 3 + 0  # the other city has none


def test_opening_is_recorded_with_no_user(db, world):
    open_at(datetime(2028, 6, 1))
    report = reports(nomination_id=world.lima_hub.id)[0]
    events = db.session.scalars(
        sa.select(WorkflowEvent).where(
            WorkflowEvent.object_type == "annual_report", WorkflowEvent.object_id == report.id
        )
    ).all()
    assert [(e.transition, e.to_state, e.actor_id) for e in events] == [("create", "due", None)]


def test_only_programmes_that_ask_for_reports(db, world):
    rmc = recognition(factories.make_city(timezone="Europe/Paris"), programme_id="role_model_city")
    db.session.commit()
    open_at(datetime(2029, 6, 1))
    assert reports(nomination_id=rmc.id) == []
    assert len(reports(nomination_id=world.lima_hub.id)) == 2


@pytest.mark.parametrize("state", ["past", "revoked", "draft"])
def test_only_current_recognitions(db, world, state):
    state = past_state() if state == "past" else state
    city = factories.make_city(timezone="Europe/Paris")
    other = recognition(city, state=state)
    db.session.commit()
    open_at(datetime(2029, 6, 1))
    assert reports(nomination_id=other.id) == []


def test_a_recognition_without_dates_opens_nothing(db, world):
    undated = recognition(factories.make_city(timezone="Europe/Paris"))
    undated.valid_from = undated.valid_until = None
    db.session.commit()
    open_at(datetime(2029, 6, 1))
    assert reports(nomination_id=undated.id) == []


def test_the_focal_points_are_told_in_their_language(world):
    open_at(datetime(2028, 3, 14, 11, 0))
    (aroha,) = outbox(template="annual_report_due", to_email=world.aroha.email)
    (claire,) = outbox(template="annual_report_due", to_email=world.claire.email)
    assert "April 14, 2028" in aroha.subject
    assert "14 avril 2028" in claire.subject  # the date in the recipient's language
    report = reports(nomination_id=world.auckland_hub.id)[0]
    assert aroha.link.endswith(f"/reports/{report.id}")
    assert aroha.dedupe_key == f"report-due:{report.id}:{world.aroha.id}"
    assert "March 15, 2027 to March 14, 2028" in aroha.body_text
    assert "Auckland" in aroha.body_html


def test_an_explicit_date_counts_for_every_city(world):
    with clock_at(datetime(2020, 1, 1)):
        assert open_due_reports(today=date(2028, 3, 15)) == 2


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2027, 3, 15), 1, date(2028, 3, 15)),
        (date(2028, 2, 29), 1, date(2029, 2, 28)),
        (date(2028, 2, 29), 4, date(2032, 2, 29)),
    ],
)
def test_anniversaries(start, years, expected):
    assert anniversary(start, years) == expected


def test_the_command_opens_the_reports(app, world, runner):
    with clock_at(datetime(2028, 6, 1)):
        result = runner.invoke(args=["reports", "open-due"])
    assert result.exit_code == 0, result.output
    assert "2 annual report(s) opened" in result.output
    assert len(reports()) == 2


def test_the_reporting_programme_is_known(programmes):
    assert REPORTING in operations.reporting_programmes()
    assert "role_model_city" not in operations.reporting_programmes()
