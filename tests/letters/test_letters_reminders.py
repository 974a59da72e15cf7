"""Reminders: the authors remind a referee at most once a day, ``flask outbox remind`` reminds
referees who have not answered once every RECOGNITION_REMINDER_DAYS; each reminder carries a
new link and the earlier one stops working. Replacing a referee asks another one instead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from letters_support import ask_letter, field_error, link_path, outbox, stored, text

from recognition.letters.mail import queue_due_letter_reminders
from recognition.letters.models import Letter
from recognition.letters.operations import receive
from recognition.timeutil import utcnow

FIELD = "endorsements"


@pytest.fixture
def asked(world, db):
    letter, token = ask_letter(world.rmc, FIELD, world.focal)
    db.session.commit()
    return letter, token


def age(letter, db, days: float, reminded: float | None = None) -> None:
    """Make the letter asked ``days`` ago (and reminded ``reminded`` days ago)."""
    letter = db.session.get(Letter, letter.id)
    letter.requested_at = utcnow() - timedelta(days=days)
    letter.reminded_at = None if reminded is None else utcnow() - timedelta(days=reminded)
    db.session.commit()


def remind_button(client, letter) -> bool:
    page = text(client.get(f"/nominations/{letter.nomination_id}"))
    return f'action="/nominations/letters/{letter.id}/remind"' in page


# -- the authors' reminder ---------------------------------------------------------------------


def test_a_reminder_carries_a_new_link_and_the_old_one_stops(asked, world, client, login_as, db):
    letter, token = asked
    age(letter, db, 2)
    login_as(world.focal)
    assert remind_button(client, letter)
    response = client.post(f"/nominations/letters/{letter.id}/remind", data={})
    assert response.status_code == 302
    (reminder,) = outbox(template="letter_reminder")
    assert (reminder.to_email, reminder.locale) == ("rania@partners.example", "ar")
    login_as(None)
    assert client.get(f"/letters/{token}").status_code == 404
    assert client.get(link_path(reminder)).status_code == 200
    assert stored(letter.id).reminded_at is not None


def test_the_authors_remind_at_most_once_a_day(asked, world, client, login_as, db):
    letter, _token = asked
    login_as(world.focal)
    assert not remind_button(client, letter)  # asked today
    client.post(f"/nominations/letters/{letter.id}/remind", data={})
    age(letter, db, 3, reminded=0.5)
    assert not remind_button(client, letter)
    client.post(f"/nominations/letters/{letter.id}/remind", data={})
    assert outbox(template="letter_reminder") == []


def test_a_reminder_renews_an_expired_link(asked, world, client, login_as, db):
    letter, _token = asked
    age(letter, db, 40)
    kept = db.session.get(Letter, letter.id)
    kept.expires_at = utcnow() - timedelta(days=10)
    db.session.commit()
    login_as(world.focal)
    client.post(f"/nominations/letters/{letter.id}/remind", data={})
    login_as(None)
    (reminder,) = outbox(template="letter_reminder")
    assert client.get(link_path(reminder)).status_code == 200


@pytest.mark.parametrize("who", ["reviewer", "officer", "stranger"])
def test_only_those_who_manage_the_letter_remind(asked, world, client, login_as, db, who):
    letter, _token = asked
    age(letter, db, 2)
    login_as(getattr(world, who))
    response = client.post(f"/nominations/letters/{letter.id}/remind", data={})
    expected = 302 if who == "officer" else 404
    assert response.status_code == expected
    assert len(outbox(template="letter_reminder")) == (1 if who == "officer" else 0)


# -- flask outbox remind -------------------------------------------------------------------------


def remind(runner, *args):
    result = runner.invoke(args=["outbox", "remind", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(
    ("asked_days", "reminded_days", "expected"),
    [(4, None, 1), (2, None, 0), (10, 4, 1), (10, 1, 0)],
)
def test_the_command_reminds_referees_who_have_not_answered(
    asked, runner, db, asked_days, reminded_days, expected
):
    letter, _token = asked
    age(letter, db, asked_days, reminded_days)
    result = remind(runner, "--days", "3")
    assert f"queued {expected} letter reminder(s)" in result.output
    assert len(outbox(template="letter_reminder")) == expected


def test_the_command_reminds_once_every_reminder_days(asked, runner, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_REMINDER_DAYS", 5)
    letter, _token = asked
    age(letter, db, 6)
    remind(runner)
    result = remind(runner)
    assert "queued 0 letter reminder(s)" in result.output
    assert len(outbox(template="letter_reminder")) == 1


def test_the_command_leaves_received_and_expired_letters_alone(asked, world, runner, db):
    letter, token = asked
    receive(db.session.get(Letter, letter.id), token, "Done.", None)
    late, _late_token = ask_letter(world.rmc, FIELD, world.focal, email="late@example.org")
    late.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    age(letter, db, 10)
    age(late, db, 10)
    remind(runner, "--days", "3")
    assert outbox(template="letter_reminder") == []


def test_an_automatic_reminder_keeps_the_links_expiry(asked, db):
    letter, _token = asked
    age(letter, db, 5)
    expires = stored(letter.id).expires_at
    assert queue_due_letter_reminders(3) == 1
    db.session.commit()
    assert stored(letter.id).expires_at == expires


# -- replacing a referee -------------------------------------------------------------------------


def replace_form(letter, **change):
    data = {
        f"{FIELD}-name": "Olu Other",
        f"{FIELD}-organisation": "",
        f"{FIELD}-email": "olu@example.org",
        f"{FIELD}-language": "en",
        f"{FIELD}-version": str(letter.version),
    }
    data.update({f"{FIELD}-{k}": v for k, v in change.items()})
    return data


def test_replacing_asks_another_referee_and_the_first_link_stops(
    asked, world, client, login_as, db
):
    letter, token = asked
    login_as(world.focal)
    assert client.get(f"/nominations/letters/{letter.id}/replace").status_code == 200
    response = client.post(f"/nominations/letters/{letter.id}/replace", data=replace_form(letter))
    assert response.status_code == 302
    assert stored(letter.id).state == "replaced"
    new = db.session.scalars(db.select(Letter).where(Letter.id != letter.id)).one()
    assert (new.referee_email, new.state, new.field) == ("olu@example.org", "requested", FIELD)
    (request,) = outbox(template="letter_request", to_email="olu@example.org")
    login_as(None)
    assert client.get(f"/letters/{token}").status_code == 410
    assert client.get(link_path(request)).status_code == 200


def test_a_replacement_with_errors_replaces_nothing(asked, world, client, login_as, db):
    letter, _token = asked
    login_as(world.focal)
    response = client.post(
        f"/nominations/letters/{letter.id}/replace", data=replace_form(letter, email="nope")
    )
    assert response.status_code == 400
    assert field_error(response, f"{FIELD}-email") == ["Invalid email address."]
    assert stored(letter.id).state == "requested"


def test_a_replacement_after_a_change_is_a_conflict(asked, world, client, login_as, db):
    letter, _token = asked
    login_as(world.focal)
    data = replace_form(letter, version=str(letter.version - 1 if letter.version > 1 else 99))
    response = client.post(f"/nominations/letters/{letter.id}/replace", data=data)
    assert response.status_code == 409
    assert stored(letter.id).state == "requested"


def test_a_received_letter_is_not_replaced(asked, world, client, login_as, db):
    letter, token = asked
    receive(db.session.get(Letter, letter.id), token, "Done.", None)
    db.session.commit()
    login_as(world.focal)
    assert client.get(f"/nominations/letters/{letter.id}/replace").status_code == 403
