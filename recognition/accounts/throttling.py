"""Slowing abuse down without locking anyone out: sign-in failures counted per (account,
address) pair and per address with growing delays, requests limited per address, and answers
that take the same time whatever they did.

Counts live in the limiter's storage (RATELIMIT_STORAGE_URI): memory for one process, Redis
when several serve. If that storage cannot be reached, requests go through and the outage is
logged: throttling must not become the way to stop every sign-in.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

from flask import current_app, flash, render_template
from limits import parse

from ..extensions import limiter
from ..i18n import ngettext
from .models import normalise_email

log = logging.getLogger(__name__)


def _fail_open(default: Any) -> Callable:
    """Run the step; when the storage cannot be reached, log it and return ``default``
    (also what a step returns when RATELIMIT_ENABLED turns the limiter off)."""

    def decorate(function: Callable) -> Callable:
        @functools.wraps(function)
        def guarded(*args, **kwargs):
            if not current_app.config["RATELIMIT_ENABLED"]:
                return default
            try:
                return function(*args, **kwargs)
            except limiter.storage.base_exceptions:
                log.exception("throttling storage unavailable; %s not throttled", function.__name__)
                return default

        return guarded

    return decorate


def address_key(address: str | None) -> str:
    """A client address as throttling counts it: IPv4 whole, IPv6 by its /64 network, what
    one subscriber holds (rotating addresses within it gains nothing)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "-"
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def _digest(*parts: str) -> str:
    """A key for the storage that does not hold the e-mail address itself."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _login_counters(email: str, address: str | None) -> list[tuple[str, int]]:
    """The storage keys of the failures that throttle this attempt, each with its free
    failures: the (account, address) pair, and the address whatever the account."""
    config = current_app.config
    where = address_key(address)
    return [
        (
            f"login/pair/{_digest(normalise_email(email), where)}",
            config["RECOGNITION_LOGIN_FREE_FAILURES"],
        ),
        (f"login/address/{_digest(where)}", config["RECOGNITION_LOGIN_FREE_FAILURES_PER_ADDRESS"]),
    ]


def login_delay(failures: int, free: int) -> int:
    """Seconds the next attempt waits after ``failures`` failures: none while they are free,
    then the first delay, doubled with each further failure, up to the maximum."""
    if failures <= free:
        return 0
    config = current_app.config
    doublings = min(failures - free - 1, 32)
    return min(
        config["RECOGNITION_LOGIN_DELAY_SECONDS"] * 2**doublings,
        config["RECOGNITION_LOGIN_MAX_DELAY_SECONDS"],
    )


@_fail_open(0)
def seconds_until_allowed(email: str, address: str | None) -> int:
    """0 when sign-in may be tried now; else the seconds until it may."""
    storage = limiter.storage
    now = time.time()
    wait = 0.0
    for key, _free in _login_counters(email, address):
        if storage.get(f"{key}/wait"):
            wait = max(wait, storage.get_expiry(f"{key}/wait") - now)
    return math.ceil(wait) if wait > 0 else 0


@_fail_open(None)
def record_failed_login(email: str, address: str | None) -> None:
    """Count a failure; past the free ones, make the next attempt wait (longer each time)."""
    storage = limiter.storage
    forget = current_app.config["RECOGNITION_LOGIN_FORGET_SECONDS"]
    for key, free in _login_counters(email, address):
        delay = login_delay(storage.incr(key, forget), free)
        if delay:
            storage.clear(f"{key}/wait")
            storage.incr(f"{key}/wait", delay)


@_fail_open(None)
def forget_failed_logins(email: str, address: str | None) -> None:
    """After a successful sign-in, forget the failures of this account from this address.

    The address's own count stays: one account of an attacker's must not clear the count of
    the accounts it tries.
    """
    storage = limiter.storage
    key, _free = _login_counters(email, address)[0]
    storage.clear(key)
    storage.clear(f"{key}/wait")


@_fail_open(0)
def spend(action: str, limit: str, *identity: str) -> int:
    """Count one ``action`` by ``identity`` against ``limit`` ("10/hour"); return 0 when it
    is within the limit, else the seconds until it is again."""
    item = parse(limit)
    strategy = limiter.limiter
    if strategy.hit(item, action, *identity):
        return 0
    reset = strategy.get_window_stats(item, action, *identity).reset_time
    return max(1, math.ceil(reset - time.time()))


def spend_by_address(action: str, setting: str, address: str | None) -> int:
    """``spend`` per client address, the limit read from the configuration."""
    return spend(action, current_app.config[setting], _digest(address_key(address)))


@contextlib.contextmanager
def timebox(seconds: float) -> Iterator[None]:
    """Make the block take at least ``seconds`` (as Laravel's Timebox), so that how long an
    answer takes does not tell what the block did or skipped."""
    deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        remaining = deadline - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)


def too_many(wait: int, template: str, **context):
    """The page again, with how long to wait before trying (429, Retry-After): the answer of
    every form whose allowance is spent."""
    if wait < 60:
        message = ngettext(
            "Too many attempts. Try again in %(num)d second.",
            "Too many attempts. Try again in %(num)d seconds.",
            wait,
        )
    else:
        message = ngettext(
            "Too many attempts. Try again in %(num)d minute.",
            "Too many attempts. Try again in %(num)d minutes.",
            math.ceil(wait / 60),
        )
    flash(message, "danger")
    return render_template(template, **context), 429, {"Retry-After": str(wait)}
