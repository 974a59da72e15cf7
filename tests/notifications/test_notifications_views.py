"""Pages: each user's notifications (unread count, open marks read, mark all as read) and the
secretariat's outbox (failed messages, retry), including the development default."""

from __future__ import annotations

import re
from datetime import timedelta

import factories
import pytest
from notifications_support import outbox

from recognition.extensions import db
from recognition.notifications.models import OutboxMessage
from recognition.notifications.operations import absolute_url, queue
from recognition.notifications.sender import send_due
from recognition.timeutil import utcnow


def note(recipient, subject="Your city is verified", template="transition", link="", **context):
    """Queue one message for ``recipient`` (flushed; commit before a request)."""
    if template == "transition":
        context.setdefault("opening", f"{subject}.")
        context.setdefault("comment", None)
        context.setdefault("show_comment", True)
    return queue(recipient, template, subject, link=link, **context)


def unread(user) -> int:
    db.session.expire_all()
    return sum(1 for m in outbox(recipient_id=user.id) if m.read_at is None)


# -- each user's notifications ----------------------------------------------------------------


def test_the_inbox_lists_the_users_own_notifications(app, login_as):
    ana, bob = factories.make_user(), factories.make_user()
    note(ana, "For Ana")
    note(bob, "For Bob")
    db.session.commit()
    response = login_as(ana).get("/notifications")
    assert response.status_code == 200
    assert "For Ana" in response.text
    assert "For Bob" not in response.text


def test_the_inbox_lists_the_newest_first(app, login_as):
    ana = factories.make_user()
    note(ana, "Older news")
    note(ana, "Newer news")
    db.session.commit()
    text = login_as(ana).get("/notifications").text
    assert text.index("Newer news") < text.index("Older news")


def test_the_inbox_needs_a_signed_in_user(app, client):
    response = client.get("/notifications")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_navigation_bar_shows_the_unread_count(app, login_as):
    ana = factories.make_user()
    for n in range(3):
        note(ana, f"News {n}")
    db.session.commit()
    text = login_as(ana).get("/").text
    assert re.search(r'href="/notifications">Notifications <span class="badge[^"]*">3<', text)


def test_the_navigation_bar_shows_no_count_when_all_is_read(app, login_as):
    ana = factories.make_user()
    note(ana).read_at = utcnow()
    db.session.commit()
    text = login_as(ana).get("/").text
    assert 'href="/notifications">Notifications</a>' in text


def test_opening_a_notification_shows_it_and_marks_it_read(app, login_as):
    ana = factories.make_user()
    message = note(ana, "Your city is verified", opening="The secretariat verified Lyon.")
    db.session.commit()
    response = login_as(ana).get(f"/notifications/{message.id}")
    assert response.status_code == 200
    assert "The secretariat verified Lyon." in response.text
    assert unread(ana) == 0


def test_the_page_that_opens_a_notification_counts_it_read(app, login_as):
    ana = factories.make_user()
    first = note(ana, "One")
    note(ana, "Two")
    db.session.commit()
    text = login_as(ana).get(f"/notifications/{first.id}").text
    # The count was read with the user, before the message was opened: read again.
    assert re.search(r'href="/notifications">Notifications <span class="badge[^"]*">1<', text)


def test_opening_one_notification_leaves_the_others_unread(app, login_as):
    ana = factories.make_user()
    first = note(ana, "One")
    note(ana, "Two")
    db.session.commit()
    login_as(ana).get(f"/notifications/{first.id}")
    assert unread(ana) == 1


def test_opening_it_again_keeps_the_first_reading_time(app, login_as):
    ana = factories.make_user()
    message = note(ana)
    read_at = utcnow() - timedelta(days=2)
    message.read_at = read_at
    db.session.commit()
    login_as(ana).get(f"/notifications/{message.id}")
    assert outbox()[0].read_at == read_at


def test_someone_elses_notification_is_not_found_and_stays_unread(app, login_as):
    ana, bob = factories.make_user(), factories.make_user()
    message = note(bob, "For Bob")
    db.session.commit()
    response = login_as(ana).get(f"/notifications/{message.id}")
    assert response.status_code == 404
    assert unread(bob) == 1


def test_mark_all_as_read(app, login_as):
    ana = factories.make_user()
    for n in range(3):
        note(ana, f"News {n}")
    db.session.commit()
    response = login_as(ana).post("/notifications/read")
    assert response.status_code == 302
    assert unread(ana) == 0


def test_mark_all_as_read_leaves_other_users_unread(app, login_as):
    ana, bob = factories.make_user(), factories.make_user()
    note(ana)
    note(bob)
    db.session.commit()
    login_as(ana).post("/notifications/read")
    assert unread(bob) == 1


def test_the_inbox_is_paginated(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 2)
    ana = factories.make_user()
    for n in range(3):
        note(ana, f"News number {n}")
    db.session.commit()
    text = login_as(ana).get("/notifications").text
    assert text.count("News number") == 2


def test_the_inbox_costs_a_bounded_number_of_queries(app, login_as):
    """Ten or thirty notifications: the same number of queries (no N+1)."""
    import sqlalchemy as sa

    ana = factories.make_user()
    counts = []
    for total in (10, 25):
        while len(outbox(recipient_id=ana.id)) < total:
            note(ana)
            db.session.commit()
        statements: list[str] = []

        def count(conn, cursor, statement, *args, _into=statements):
            _into.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert login_as(ana).get("/notifications").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1]


# -- the secretariat's outbox ---------------------------------------------------------------------


def failed_message(recipient=None, subject="Your city is verified"):
    message = note(recipient or factories.make_user(), subject)
    message.status = "failed"
    message.attempts = 6
    message.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    return message


@pytest.mark.parametrize("role", ["secretariat", "admin"])
def test_staff_see_the_outbox(app, login_as, role):
    note(factories.make_user(), "Hello from the outbox")
    staff = factories.make_user(roles=(role,))
    db.session.commit()
    response = login_as(staff).get("/secretariat/outbox")
    assert response.status_code == 200
    assert "Hello from the outbox" in response.text


@pytest.mark.parametrize("maker", ["focal_point", "reviewer", "user"])
def test_others_may_not_see_the_outbox(app, login_as, maker):
    user = getattr(factories, f"make_{maker}")()
    db.session.commit()
    assert login_as(user).get("/secretariat/outbox").status_code == 403


@pytest.mark.parametrize("maker", ["focal_point", "reviewer"])
def test_others_may_not_read_an_outgoing_message(app, login_as, maker):
    message = note(factories.make_user())
    user = getattr(factories, f"make_{maker}")()
    db.session.commit()
    assert login_as(user).get(f"/secretariat/outbox/{message.id}").status_code == 403


def test_failed_messages_are_listed_with_a_retry_button(app, login_as):
    message = failed_message(subject="Undeliverable news")
    note(factories.make_user(), "Delivered news").status = "sent"
    officer = factories.make_secretariat()
    db.session.commit()
    text = login_as(officer).get("/secretariat/outbox?status=failed").text
    assert "Undeliverable news" in text
    assert "Delivered news" not in text
    assert f'action="/secretariat/outbox/{message.id}/retry"' in text


def test_the_outbox_counts_messages_by_state(app, login_as):
    failed_message()
    failed_message()
    note(factories.make_user())
    officer = factories.make_secretariat()
    db.session.commit()
    text = login_as(officer).get("/secretariat/outbox").text
    assert 'Failed <span class="badge text-bg-secondary">2</span>' in text
    assert 'Queued <span class="badge text-bg-secondary">1</span>' in text


def test_the_secretariat_sees_why_a_message_failed(app, login_as):
    message = failed_message()
    officer = factories.make_secretariat()
    db.session.commit()
    text = login_as(officer).get(f"/secretariat/outbox/{message.id}").text
    assert "Connection refused" in text
    assert message.message_id.replace("<", "&lt;").replace(">", "&gt;") in text


def test_reading_an_outgoing_message_does_not_mark_it_read(app, login_as):
    message = note(factories.make_user())
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer).get(f"/secretariat/outbox/{message.id}")
    assert outbox()[0].read_at is None


def test_retry_queues_a_failed_message_again(app, login_as):
    message = failed_message()
    officer = factories.make_secretariat()
    db.session.commit()
    response = login_as(officer).post(f"/secretariat/outbox/{message.id}/retry")
    assert response.status_code == 302
    (stored,) = outbox()
    assert (stored.status, stored.attempts) == ("queued", 0)
    assert stored.next_attempt_at <= utcnow()


def test_a_retried_message_is_delivered(app, login_as, smtp):
    message = failed_message()
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer).post(f"/secretariat/outbox/{message.id}/retry")
    assert send_due()["sent"] == 1
    assert smtp.message_ids() == [message.message_id]
    assert outbox(id=message.id)[0].status == "sent"


def test_only_failed_messages_can_be_retried(app, login_as):
    message = note(factories.make_user())
    message.status = "sent"
    message.attempts = 1
    officer = factories.make_secretariat()
    db.session.commit()
    response = login_as(officer).post(
        f"/secretariat/outbox/{message.id}/retry", follow_redirects=True
    )
    assert "Only failed messages can be retried." in response.text
    assert (outbox()[0].status, outbox()[0].attempts) == ("sent", 1)


def test_a_focal_point_may_not_retry(app, login_as):
    message = failed_message()
    focal = factories.make_focal_point()
    db.session.commit()
    assert login_as(focal).post(f"/secretariat/outbox/{message.id}/retry").status_code == 403
    assert outbox()[0].status == "failed"


def test_retrying_an_unknown_message_is_not_found(app, login_as):
    officer = factories.make_secretariat()
    db.session.commit()
    assert login_as(officer).post("/secretariat/outbox/999999/retry").status_code == 404


def test_from_failure_to_delivery(app, login_as, smtp_down, smtp_servers, monkeypatch):
    """Retry window passed -> failed -> listed for the secretariat -> retried -> delivered."""
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_MAX_ATTEMPTS", 2)
    monkeypatch.setitem(app.config, "RECOGNITION_MAIL_RETRY_HOURS", 1)
    message = note(factories.make_user(), "Stubborn news")
    officer = factories.make_secretariat()
    db.session.commit()
    now = utcnow()
    send_due(now=now)
    send_due(now=now + timedelta(hours=1))
    assert outbox()[0].status == "failed"
    assert "Stubborn news" in login_as(officer).get("/secretariat/outbox?status=failed").text
    login_as(officer).post(f"/secretariat/outbox/{message.id}/retry")
    server = smtp_servers(port=smtp_down)
    assert send_due()["sent"] == 1
    assert server.message_ids() == [outbox()[0].message_id]


# -- retry all failed ------------------------------------------------------------------------------


def test_retry_all_queues_every_failed_message_again(app, login_as):
    failed = [failed_message() for _ in range(3)]
    sent = note(factories.make_user())
    sent.status, sent.attempts = "sent", 1
    waiting = note(factories.make_user())
    officer = factories.make_secretariat()
    db.session.commit()
    response = login_as(officer).post("/secretariat/outbox/retry-failed", follow_redirects=True)
    assert "3 failed messages are queued again." in response.text
    stored = {m.id: m for m in outbox()}
    assert [(stored[m.id].status, stored[m.id].attempts) for m in failed] == [("queued", 0)] * 3
    assert all(stored[m.id].next_attempt_at <= utcnow() for m in failed)
    assert (stored[sent.id].status, stored[sent.id].attempts) == ("sent", 1)
    assert (stored[waiting.id].status, stored[waiting.id].attempts) == ("queued", 0)


def test_messages_retried_all_at_once_are_delivered(app, login_as, smtp):
    ids = [failed_message().message_id for _ in range(2)]
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer).post("/secretariat/outbox/retry-failed")
    assert send_due() == {"sent": 2, "retry": 0, "failed": 0}
    assert sorted(smtp.message_ids()) == sorted(ids)


def test_the_outbox_offers_retry_all_only_when_a_message_failed(app, login_as):
    note(factories.make_user())
    officer = factories.make_secretariat()
    db.session.commit()
    client = login_as(officer)
    assert 'action="/secretariat/outbox/retry-failed"' not in client.get("/secretariat/outbox").text
    failed_message()
    db.session.commit()
    assert 'action="/secretariat/outbox/retry-failed"' in client.get("/secretariat/outbox").text


def test_retry_all_with_nothing_failed_says_so(app, login_as):
    officer = factories.make_secretariat()
    db.session.commit()
    response = login_as(officer).post("/secretariat/outbox/retry-failed", follow_redirects=True)
    assert "No message has failed." in response.text


@pytest.mark.parametrize("maker", ["focal_point", "reviewer"])
def test_only_who_sees_the_outbox_may_retry_all(app, login_as, maker):
    failed_message()
    user = getattr(factories, f"make_{maker}")()
    db.session.commit()
    assert login_as(user).post("/secretariat/outbox/retry-failed").status_code == 403
    assert outbox()[0].status == "failed"


def test_retry_all_needs_the_forms_csrf_token(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    failed_message()
    officer = factories.make_secretariat()
    db.session.commit()
    client = login_as(officer)
    assert client.post("/secretariat/outbox/retry-failed").status_code == 400
    assert outbox()[0].status == "failed"
    page = client.get("/secretariat/outbox").text
    form = page[page.index('action="/secretariat/outbox/retry-failed"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/secretariat/outbox/retry-failed", data={"csrf_token": token})
    assert response.status_code == 302
    assert outbox()[0].status == "queued"


# -- development default and personal links ------------------------------------------------------


def test_without_smtp_the_outbox_says_mail_is_not_sent(app, login_as):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    text = login_as(admin).get("/secretariat/outbox").text
    assert "No SMTP server is configured" in text


def test_with_smtp_the_outbox_does_not_say_mail_is_not_sent(app, login_as, smtp):
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    text = login_as(admin).get("/secretariat/outbox").text
    assert "No SMTP server is configured" not in text


def _reset_message():
    ana = factories.make_user()
    link = absolute_url("accounts.reset_password", token="secret-token-123")
    return note(ana, "Reset your password", template="password_reset", link=link, hours=48)


def test_without_smtp_the_admin_reads_the_mail_with_its_link(app, login_as):
    """Development: the outbox page is where mail is read, links included."""
    message = _reset_message()
    admin = factories.make_user(roles=("admin",))
    db.session.commit()
    text = login_as(admin).get(f"/secretariat/outbox/{message.id}").text
    assert "Someone asked to reset the password" in text
    assert "secret-token-123" in text


@pytest.mark.parametrize("template", ["password_reset", "invitation", "confirm_email"])
def test_with_smtp_staff_cannot_read_a_personal_link(app, login_as, smtp, template):
    """A reset or invitation link would let whoever reads it take over the account."""
    message = _reset_message()
    message.template = template
    officer = factories.make_secretariat()
    db.session.commit()
    text = login_as(officer).get(f"/secretariat/outbox/{message.id}").text
    assert "secret-token-123" not in text
    assert "only its recipient can read it" in text


def test_with_smtp_staff_still_read_ordinary_mail(app, login_as, smtp):
    message = note(factories.make_user(), opening="The secretariat verified Lyon.", link="x")
    officer = factories.make_secretariat()
    db.session.commit()
    text = login_as(officer).get(f"/secretariat/outbox/{message.id}").text
    assert "The secretariat verified Lyon." in text


def test_the_recipient_reads_their_own_personal_link(app, login_as, smtp):
    message = _reset_message()
    db.session.commit()
    user = db.session.get(OutboxMessage, message.id).recipient
    text = login_as(user).get(f"/notifications/{message.id}").text
    assert "secret-token-123" in text
