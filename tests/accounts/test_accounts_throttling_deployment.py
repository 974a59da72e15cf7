"""Throttling as deployed: behind RECOGNITION_PROXIES trusted proxies each client counts by
its own address; workers share their counts through RATELIMIT_STORAGE_URI (Redis), and say
so when they count apart; an unreachable storage never stops sign-in."""

from __future__ import annotations

import logging

import factories
import pytest

from recognition.accounts.throttling import record_failed_login, seconds_until_allowed
from recognition.extensions import db

FREE_PER_ADDRESS = 30  # RECOGNITION_LOGIN_FREE_FAILURES_PER_ADDRESS
PROXY = "10.1.0.1"


def attempt(client, email, password, forwarded_for=None, remote=PROXY):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        "/login",
        data={"email": email, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": remote},
    )


@pytest.fixture
def ana(app):
    user = factories.make_user(email="ana@example.org")
    db.session.commit()
    return user


# -- proxies -----------------------------------------------------------------------------


def test_behind_a_trusted_proxy_each_client_counts_by_its_own_address(another_app, ana):
    """The finding: behind a proxy every client shared the proxy's address, and the
    failures of a few slowed everybody's sign-in. With RECOGNITION_PROXIES=1 the address is
    the one the proxy saw; what the client wrote before it is not believed."""
    client = another_app(RECOGNITION_PROXIES=1).test_client()
    for n in range(FREE_PER_ADDRESS + 1):
        forged = f"192.0.2.{n}, 198.51.100.9"  # the client's forgery, then the proxy's entry
        attempt(client, f"guess{n}@example.org", "wrong password", forwarded_for=forged)
    slowed = attempt(client, "ana@example.org", factories.PASSWORD, "192.0.2.250, 198.51.100.9")
    assert slowed.status_code == 429
    owner = attempt(client, "ana@example.org", factories.PASSWORD, forwarded_for="192.0.2.44")
    assert owner.status_code == 302


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(client, ana):
    """RECOGNITION_PROXIES=0 (the default): a client rotating X-Forwarded-For headers is
    still counted by the address it connects from."""
    for n in range(FREE_PER_ADDRESS + 1):
        attempt(client, f"guess{n}@example.org", "wrong", forwarded_for=f"192.0.2.{n}")
    response = attempt(client, "ana@example.org", factories.PASSWORD, forwarded_for="192.0.2.200")
    assert response.status_code == 429


# -- shared counts -----------------------------------------------------------------------


def failures_in(app, times, email="ana@example.org", address="10.0.0.1"):
    with app.app_context():
        for _ in range(times):
            record_failed_login(email, address)


def wait_in(app, email="ana@example.org", address="10.0.0.1"):
    with app.app_context():
        return seconds_until_allowed(email, address)


def test_workers_on_redis_share_their_counts(another_app, redis_storage):
    """The finding: each worker counted in its own memory (4 workers, 4 times the limit).
    Two apps on the same RATELIMIT_STORAGE_URI see each other's failures."""
    first, second = another_app(**redis_storage), another_app(**redis_storage)
    failures_in(first, 3)
    failures_in(second, 3)
    assert wait_in(first) > 0
    assert wait_in(second) > 0


def test_workers_counting_in_memory_count_apart(another_app):
    """Why production needs the shared storage: memory:// counts per process."""
    first, second = another_app(), another_app()
    failures_in(first, 3)
    failures_in(second, 3)
    assert wait_in(first) == wait_in(second) == 0


def test_several_workers_counting_in_memory_are_told_to_share(another_app, caplog):
    """Once per worker; a single process (make run) is not warned."""
    worker = another_app()

    def warnings():
        return [r for r in caplog.records if "RATELIMIT_STORAGE_URI" in r.getMessage()]

    with caplog.at_level(logging.WARNING):
        worker.test_client().get("/login")
        assert warnings() == []
        worker.test_client().get("/login", environ_overrides={"wsgi.multiprocess": True})
        worker.test_client().get("/login", environ_overrides={"wsgi.multiprocess": True})
    assert len(warnings()) == 1


def test_an_unreachable_storage_does_not_stop_sign_in(another_app, ana, caplog):
    """Redis down: sign-in goes on unthrottled (and the log says so), never a 500."""
    worker = another_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")
    client = worker.test_client()
    with caplog.at_level(logging.ERROR):
        assert attempt(client, "ana@example.org", "wrong password").status_code == 200
        assert attempt(client, "ana@example.org", factories.PASSWORD).status_code == 302
    assert any("throttling storage unavailable" in r.getMessage() for r in caplog.records)
