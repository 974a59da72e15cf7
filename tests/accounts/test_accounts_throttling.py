"""Sign-in throttling slows an attacker without locking the owner out: failures count per
(account, address) pair and per address across accounts; past the free failures each one
makes the next attempt wait, twice as long each time; an attempt during the wait is refused
with the time left, even with the right password."""

from __future__ import annotations

import re

import factories
import pytest
from accounts_support import html_of

from recognition.accounts.throttling import (
    address_key,
    login_delay,
    record_failed_login,
    seconds_until_allowed,
)
from recognition.extensions import db

FREE = 5  # RECOGNITION_LOGIN_FREE_FAILURES
FREE_PER_ADDRESS = 30  # RECOGNITION_LOGIN_FREE_FAILURES_PER_ADDRESS
TOO_MANY = re.compile(r"Too many attempts\. Try again in (\d+) (second|minute)s?\.")


def attempt(client, email, password, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def fail(client, times, email="ana@example.org", address="10.0.0.1"):
    for _ in range(times):
        assert attempt(client, email, "wrong password", address).status_code == 200


@pytest.fixture
def ana(app):
    user = factories.make_user(email="ana@example.org")
    db.session.commit()
    return user


# -- the owner keeps access --------------------------------------------------------------


def test_failures_elsewhere_do_not_lock_the_owner_out(client, ana):
    """The finding: anyone could lock any account (the secretariat's included) by failing
    ten times with it. Failures from another address now slow only that address."""
    for n in range(3):
        fail(client, FREE + 1, address=f"203.0.113.{n}")
    assert attempt(client, "ana@example.org", factories.PASSWORD, "10.9.9.9").status_code == 302


def test_a_successful_sign_in_forgets_the_failures_from_its_address(client, ana):
    fail(client, FREE)
    attempt(client, "ana@example.org", factories.PASSWORD)
    client.post("/logout")
    fail(client, FREE)
    assert attempt(client, "ana@example.org", factories.PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count(client, ana):
    for _ in range(FREE + 2):
        assert attempt(client, "ana@example.org", factories.PASSWORD).status_code == 302
        client.post("/logout")


# -- the attacker is slowed --------------------------------------------------------------


def test_past_the_free_failures_the_next_attempt_waits(client, ana):
    fail(client, FREE)
    assert seconds_until_allowed("ana@example.org", "10.0.0.1") == 0
    fail(client, 1)
    response = attempt(client, "ana@example.org", factories.PASSWORD)
    assert response.status_code == 429
    match = TOO_MANY.search(html_of(response))
    assert match, html_of(response)
    assert 1 <= int(match.group(1)) <= 2
    assert 1 <= int(response.headers["Retry-After"]) <= 2


def test_a_waiting_attempt_does_not_sign_in_even_with_the_right_password(client, ana):
    fail(client, FREE + 1)
    attempt(client, "ana@example.org", factories.PASSWORD)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_the_wait_doubles_with_each_further_failure(app):
    waits = []
    for _ in range(FREE + 5):
        record_failed_login("ana@example.org", "10.0.0.1")
        waits.append(seconds_until_allowed("ana@example.org", "10.0.0.1"))
    assert waits == [0] * FREE + [2, 4, 8, 16, 32]


def test_the_wait_stops_growing_at_the_maximum(app, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_LOGIN_MAX_DELAY_SECONDS", 60)
    assert [login_delay(FREE + n, FREE) for n in range(1, 9)] == [2, 4, 8, 16, 32, 60, 60, 60]
    assert login_delay(10_000, FREE) == 60


def test_a_long_wait_is_told_in_minutes(client, ana, monkeypatch, app):
    monkeypatch.setitem(app.config, "RECOGNITION_LOGIN_DELAY_SECONDS", 150)
    fail(client, FREE + 1)
    html = html_of(attempt(client, "ana@example.org", factories.PASSWORD))
    assert "Too many attempts. Try again in 3 minutes." in html


def test_the_pair_ignores_the_case_of_the_email(client, ana):
    for n in range(FREE + 1):
        fail(client, 1, email="ANA@example.org" if n % 2 else "ana@EXAMPLE.org")
    assert attempt(client, "ana@example.org", factories.PASSWORD).status_code == 429


def test_unknown_accounts_are_throttled_like_known_ones(client, ana):
    """Throttling must not reveal whether an account exists either."""
    fail(client, FREE + 1, email="nobody@example.org")
    assert attempt(client, "nobody@example.org", "wrong password").status_code == 429


def test_failures_across_accounts_slow_the_address(client, ana):
    """Credential stuffing: one address trying many accounts, each only a few times."""
    for n in range(FREE_PER_ADDRESS + 1):
        fail(client, 1, email=f"guess{n}@example.org", address="10.0.3.3")
    response = attempt(client, "ana@example.org", factories.PASSWORD, "10.0.3.3")
    assert response.status_code == 429
    assert TOO_MANY.search(html_of(response))


def test_an_address_slowed_for_stuffing_leaves_other_addresses_alone(client, ana):
    for n in range(FREE_PER_ADDRESS + 1):
        fail(client, 1, email=f"guess{n}@example.org", address="10.0.3.3")
    assert attempt(client, "ana@example.org", factories.PASSWORD, "10.0.4.4").status_code == 302


def test_the_free_failures_follow_the_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_LOGIN_FREE_FAILURES", 2)
    for _ in range(3):
        record_failed_login("ana@example.org", "10.0.0.1")
    assert seconds_until_allowed("ana@example.org", "10.0.0.1") > 0
    assert seconds_until_allowed("ana@example.org", "10.0.0.2") == 0


# -- addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("", "-"),
        (None, "-"),
    ],
)
def test_an_ipv6_client_counts_by_its_network(address, key):
    assert address_key(address) == key


def test_rotating_ipv6_addresses_within_a_network_gains_nothing(client, ana):
    for n in range(FREE + 1):
        fail(client, 1, address=f"2001:db8:1:2::{n + 1:x}")
    response = attempt(client, "ana@example.org", factories.PASSWORD, "2001:db8:1:2::ff")
    assert response.status_code == 429
