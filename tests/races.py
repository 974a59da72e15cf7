"""Requests racing each other with real threads (PostgreSQL tests): each from its own
client, all released at the same moment."""

from __future__ import annotations

import threading


def signed_in(app, user):
    """A test client of its own, signed in as ``user``."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def race(app, requests) -> list:
    """Send every request at the same moment, each from its own thread and client; return
    the responses (an exception a thread met fails the test)."""
    barrier = threading.Barrier(len(requests), timeout=30)
    responses: list = [None] * len(requests)
    errors: list[BaseException] = []

    def send(index, request):
        try:
            with app.app_context():  # the thread's own; each request pushes another
                barrier.wait()
                responses[index] = request()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [
        threading.Thread(target=send, args=(i, request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == [], errors
    return responses
