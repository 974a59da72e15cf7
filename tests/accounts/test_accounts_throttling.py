"""Sign-in throttling: after 10 failed attempts a minute for an account or from an address,
sign-in is refused with a clear wait time, even with the right password."""

from __future__ import annotations

import re

import factories
import pytest
from accounts_support import html_of

from recognition.accounts.operations import record_failed_login, seconds_until_allowed
from recognition.extensions import db

LIMIT = 10
TOO_MANY = re.compile(r"Too many attempts\. Try again in (\d+) seconds\.")


def attempt(client, email, password, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def ana(app):
    user = factories.make_user(email="ana@example.org")
    db.session.commit()
    return user


def test_nine_failures_still_let_the_right_password_in(client, ana):
    for _ in range(LIMIT - 1):
        attempt(client, "ana@example.org", "wrong password")
    assert attempt(client, "ana@example.org", factories.PASSWORD).status_code == 302


def test_ten_failures_on_an_account_refuse_the_next_attempt(client, ana):
    for _ in range(LIMIT):
        assert attempt(client, "ana@example.org", "wrong password").status_code == 200
    response = attempt(client, "ana@example.org", factories.PASSWORD)
    assert response.status_code == 429
    match = TOO_MANY.search(html_of(response))
    assert match, html_of(response)
    assert 1 <= int(match.group(1)) <= 61


def test_a_throttled_attempt_does_not_sign_in(client, ana):
    for _ in range(LIMIT):
        attempt(client, "ana@example.org", "wrong password")
    attempt(client, "ana@example.org", factories.PASSWORD)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_account_throttling_holds_from_any_address(client, ana):
    for n in range(LIMIT):
        attempt(client, "ana@example.org", "wrong password", address=f"10.0.1.{n}")
    response = attempt(client, "ana@example.org", factories.PASSWORD, address="10.9.9.9")
    assert response.status_code == 429


def test_account_throttling_ignores_the_case_of_the_email(client, ana):
    for n in range(LIMIT):
        email = "ANA@example.org" if n % 2 else "ana@EXAMPLE.org"
        attempt(client, email, "wrong password", address=f"10.0.2.{n}")
    response = attempt(client, "ana@example.org", factories.PASSWORD, address="10.9.9.9")
    assert response.status_code == 429


def test_ten_failures_from_an_address_refuse_every_account_there(client, ana):
    for n in range(LIMIT):
        attempt(client, f"guess{n}@example.org", "wrong password", address="10.0.3.3")
    response = attempt(client, "ana@example.org", factories.PASSWORD, address="10.0.3.3")
    assert response.status_code == 429
    assert TOO_MANY.search(html_of(response))


def test_address_throttling_leaves_other_addresses_alone(client, ana):
    for n in range(LIMIT):
        attempt(client, f"guess{n}@example.org", "wrong password", address="10.0.3.3")
    assert attempt(client, "ana@example.org", factories.PASSWORD, "10.0.4.4").status_code == 302


def test_unknown_accounts_are_throttled_like_known_ones(client, ana):
    """Throttling must not reveal whether an account exists either."""
    for n in range(LIMIT):
        attempt(client, "nobody@example.org", "wrong password", address=f"10.0.5.{n}")
    response = attempt(client, "nobody@example.org", "wrong password", address="10.9.9.9")
    assert response.status_code == 429


def test_successful_sign_ins_do_not_count(client, ana):
    for _ in range(LIMIT + 2):
        assert attempt(client, "ana@example.org", factories.PASSWORD).status_code == 302
        client.post("/logout")


def test_seconds_until_allowed_is_zero_before_any_failure(app):
    assert seconds_until_allowed("ana@example.org", "10.0.0.1") == 0


def test_seconds_until_allowed_counts_down_within_the_minute(app):
    for _ in range(LIMIT):
        record_failed_login("ana@example.org", "10.0.0.1")
    assert 1 <= seconds_until_allowed("ana@example.org", "10.0.0.1") <= 61


def test_the_limit_follows_the_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_LOGIN_ATTEMPTS_PER_MINUTE", 3)
    for _ in range(3):
        record_failed_login("ana@example.org", "10.0.0.1")
    assert seconds_until_allowed("ana@example.org", "10.0.0.2") > 0
