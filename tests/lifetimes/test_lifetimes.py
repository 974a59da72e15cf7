"""A Resilience Hub's three years, with the clock moved: the recognition holds in the city's
calendar, reminders are queued once at each point, it expires on the right day, a renewal
carries the previous answers and closes the recognition it renews, the public pages show
current and past recognitions, a revoked one disappears and no longer verifies."""

from __future__ import annotations

import re
from datetime import date, datetime

import factories
import pytest
import sqlalchemy as sa

from recognition.extensions import db as _db
from recognition.lifetimes.operations import move_on, queue_expiry_reminders
from recognition.nominations.models import Attachment, Nomination
from recognition.nominations.operations import carried_fields, start
from recognition.nominees.models import nominee_for_city
from recognition.notifications.models import OutboxMessage
from recognition.stages.models import CityStage
from recognition.timeutil import clock_at
from recognition.workflow.engine import ConditionNotMet, fire

#: Announced at 01:00 on 15 March 2027 in Auckland (12:00 UTC on the 14th).
ANNOUNCED = datetime(2027, 3, 14, 12, 0)


def hub(city, *, at=ANNOUNCED, answers=None):
    """A Resilience Hub recognition of ``city`` announced at ``at`` (UTC)."""
    with clock_at(at):
        call = factories.make_call(
            programme_id="resilience_hub", state="announced", cycle=str(at.year)
        )
        call.announced_at = at
        nomination = factories.make_nomination(
            call=call, city=city, state="recognised", answers=answers or {}
        )
        nomination.award_level = "hub"
        nomination.submitted_at = nomination.decided_at = at
        nomination.decided_by_id = factories.make_secretariat().id
        fire(nomination, "announce", factories.make_secretariat())
    return nomination


def reminders() -> list[str]:
    return sorted(
        _db.session.scalars(
            sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.template == "expiry_reminder")
        )
    )


@pytest.fixture
def auckland(db):
    focal = factories.make_user(email="focal@auckland.example", timezone="Pacific/Auckland")
    city = factories.make_city(
        name="Auckland", country="NZ", timezone="Pacific/Auckland", members=[focal]
    )
    _db.session.add(CityStage(city=city, state="stage_c"))  # a hub is a stage-C city
    return city


@pytest.fixture
def lima(db):
    focal = factories.make_user(email="focal@lima.example", timezone="America/Lima")
    return factories.make_city(name="Lima", country="PE", timezone="America/Lima", members=[focal])


def test_a_hub_holds_three_years_from_the_citys_day_of_announcement(auckland, lima):
    # 12:00 UTC on 14 March is already the 15th in Auckland, still the 14th in Lima.
    nz, pe = hub(auckland), hub(lima)
    assert (nz.valid_from, nz.valid_until) == (date(2027, 3, 15), date(2030, 3, 14))
    assert (pe.valid_from, pe.valid_until) == (date(2027, 3, 14), date(2030, 3, 13))


def test_a_programme_without_years_never_expires(db):
    city = factories.make_city()
    call = factories.make_call(programme_id="role_model_city", state="announced")
    nomination = factories.make_nomination(call=call, city=city, state="recognised")
    nomination.decided_by_id = factories.make_secretariat().id
    nomination.decided_at = nomination.submitted_at = ANNOUNCED
    fire(nomination, "announce", factories.make_secretariat())
    assert nomination.valid_from is not None and nomination.valid_until is None
    with clock_at(datetime(2040, 1, 1)):
        assert move_on().expired == 0
    assert nomination.state == "announced"


def test_reminders_are_queued_once_at_each_point(auckland):
    nomination = hub(auckland)
    steps = [
        (datetime(2029, 9, 10, 12), []),  # 185 days before the end: none yet
        (datetime(2029, 9, 15, 12), ["180"]),  # 180 days before (the city's 16 September)
        (datetime(2029, 9, 15, 13), ["180"]),  # the same day again: nothing more
        (datetime(2029, 12, 1, 12), ["180"]),  # between points
        (datetime(2029, 12, 14, 12), ["180", "90"]),
        (datetime(2030, 2, 12, 12), ["180", "30", "90"]),
        (datetime(2030, 3, 10, 12), ["180", "30", "90"]),
        (datetime(2030, 3, 20, 12), ["180", "30", "90"]),  # ended: no more reminders
    ]
    for moment, expected in steps:
        with clock_at(moment):
            queue_expiry_reminders()
            move_on()
        points = [key.split(":")[3] for key in reminders()]
        assert points == expected, moment
    # Each to the city's focal point, once.
    assert (
        _db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "expiry_reminder")
        )
        == 3
    )
    assert nomination.state == "expired"


def test_a_late_run_sends_only_the_nearest_reminder(auckland):
    hub(auckland)
    with clock_at(datetime(2030, 3, 1, 12)):  # 13 days left: the 30-day point, not 180 or 90
        assert queue_expiry_reminders() == 1
    assert [key.split(":")[3] for key in reminders()] == ["30"]


def test_it_expires_on_the_day_after_its_last_day_in_the_citys_calendar(auckland, lima):
    nz, pe = hub(auckland), hub(lima)
    # 10:30 UTC on 14 March 2030: 23:30 on the 14th in Auckland (its last day).
    with clock_at(datetime(2030, 3, 14, 10, 30)):
        move_on()
    assert nz.state == "expiring"
    # 11:30 UTC: 00:30 on the 15th in Auckland; in Lima it is 06:30 on the 14th, the day
    # after Lima's last day (the 13th).
    with clock_at(datetime(2030, 3, 14, 11, 30)):
        moves = move_on()
    assert (nz.state, pe.state, moves.expired) == ("expired", "expired", 1)


def test_an_expired_recognition_cannot_be_marked_expired_early(auckland):
    nomination = hub(auckland)
    with clock_at(datetime(2028, 1, 1)), pytest.raises(ConditionNotMet):
        fire(nomination, "expire", None)
    assert nomination.state == "announced"


def test_a_renewal_carries_the_answers_and_closes_what_it_renews(auckland):
    focal = auckland.memberships[0].user
    answers = {"resilience_summary": "We share our early-warning practice."}
    first = hub(auckland, answers=answers)
    _db.session.add(
        Attachment(
            nomination=first,
            field="scorecard_report",
            filename="scorecard.pdf",
            sha256="a" * 64,
            mime="application/pdf",
            size=1000,
        )
    )
    _db.session.flush()
    with clock_at(datetime(2030, 1, 10)):
        call = factories.make_call(programme_id="resilience_hub", state="open", cycle="2030")
        renewal = start(call, nominee_for_city(auckland), "en", focal, previous=first)
    assert renewal.renews_id == first.id
    assert renewal.answers == answers
    assert [(a.field, a.filename, a.sha256) for a in renewal.attachments] == [
        ("scorecard_report", "scorecard.pdf", "a" * 64)
    ]
    assert "resilience_summary" in carried_fields(renewal)
    # Announced (its call announced in 2030): the first recognition is closed as renewed.
    with clock_at(datetime(2030, 3, 1, 12)):
        decider = factories.make_secretariat()
        renewal.call.state = "announced"
        renewal.award_level = "hub"
        renewal.submitted_at = renewal.decided_at = datetime(2030, 2, 1)
        renewal.decided_by_id = decider.id
        renewal.state = "recognised"
        fire(renewal, "announce", factories.make_secretariat())
    assert (first.state, renewal.state) == ("renewed", "announced")
    assert renewal.valid_until == date(2033, 3, 1)  # from 2 March 2030 in Auckland, 3 years


def test_a_city_with_a_current_recognition_is_refused_a_second_but_may_renew(auckland):
    focal = auckland.memberships[0].user
    first = hub(auckland)
    call = factories.make_call(programme_id="resilience_hub", state="open", cycle="2029")
    with pytest.raises(Exception) as caught:
        start(call, nominee_for_city(auckland), "en", focal)
    assert "already recognised" in str(getattr(caught.value, "message", caught.value))
    renewal = start(call, nominee_for_city(auckland), "en", focal, previous=first)
    assert renewal.renews_id == first.id


def test_public_pages_show_current_and_past_recognitions(auckland, client):
    first = hub(auckland, at=datetime(2024, 3, 14, 12))
    with clock_at(datetime(2027, 3, 20)):
        move_on()
    assert first.state == "expired"
    second = hub(auckland)
    _db.session.commit()
    with clock_at(datetime(2027, 4, 1)):
        html = client.get(f"/recognised/cities/{auckland.id}").get_data(as_text=True)
    assert "Valid until March 14, 2030" in html
    assert re.search(
        r"Past recognition</span>\s*Valid from March 15, 2024 to March 14, 2027 \(Expired\)", html
    )
    assert second.id != first.id


def test_a_revoked_recognition_leaves_the_public_pages_and_stops_verifying(
    auckland, client, login_as
):
    nomination = hub(auckland)
    officer = factories.make_secretariat()
    _db.session.commit()
    code = nomination.verification_code
    assert client.get(f"/verify/{code}").status_code == 200
    login_as(officer)
    response = client.post(
        f"/workflow/nomination/{nomination.id}/revoke",
        data={
            "comment": "The city no longer shares its practice.",
            "version": nomination.version,
            "confirmed": "y",
        },
    )
    assert response.status_code in (302, 303)
    _db.session.expire_all()
    assert _db.session.get(Nomination, nomination.id).state == "revoked"
    login_as(None)
    assert client.get(f"/verify/{code}").status_code == 410
    assert "Resilience Hub" not in client.get(f"/recognised/cities/{auckland.id}").get_data(
        as_text=True
    )


def test_revoking_needs_a_reason_and_the_secretariat(auckland, client, login_as):
    nomination = hub(auckland)
    _db.session.commit()
    login_as(auckland.memberships[0].user)
    client.post(
        f"/workflow/nomination/{nomination.id}/revoke", data={"comment": "No", "confirmed": "y"}
    )
    _db.session.expire_all()
    assert _db.session.get(Nomination, nomination.id).state == "announced"
    with pytest.raises(ConditionNotMet.__mro__[1]):
        fire(_db.session.get(Nomination, nomination.id), "revoke", factories.make_secretariat(), "")


def test_the_daily_command_moves_recognitions_and_says_so(auckland, runner):
    hub(auckland)
    _db.session.commit()
    with clock_at(datetime(2030, 3, 20, 12)):
        result = runner.invoke(args=["lifetimes", "update"])
        again = runner.invoke(args=["lifetimes", "update"])
    assert result.exit_code == 0, result.output
    assert "1 expired" in result.output
    assert "0 expiring, 0 expired, 0 reminder(s) queued" in again.output
    _db.session.expire_all()
    assert _db.session.scalar(sa.select(Nomination.state)) == "expired"
