"""Account operations: passwords, sign-in checks and throttling, registration, and the
account e-mails (confirmation, reset, invitation).

Operations flush, never commit; the view commits once.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from limits import parse

from ..extensions import db, limiter
from ..notifications.operations import absolute_url, in_locale, queue
from ..workflow.engine import create
from ..workflow.security import users_with_permission
from .models import City, Membership, User
from .tokens import make_token

#: A hash to verify against when the account does not exist, so that timing tells nothing.
_DUMMY_HASH: dict[tuple[int, int], str] = {}


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["RECOGNITION_ARGON2_TIME_COST"],
        memory_cost=config["RECOGNITION_ARGON2_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def check_password(user: User | None, password: str) -> bool:
    """Verify a password (against a dummy hash when there is no user, to even out timing)."""
    hasher = _hasher()
    if user is None or not user.password_hash:
        key = (hasher.time_cost, hasher.memory_cost)
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = hasher.hash("not a real password")
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH[key], password or "x")
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def email_taken(email: str) -> bool:
    return user_by_email(email) is not None


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (never saying which was wrong)."""
    user = user_by_email(email)
    if not check_password(user, password) or user is None or not user.active:
        return None
    return user


# -- sign-in throttling -----------------------------------------------------------------


def _login_limit():
    per_minute = current_app.config["RECOGNITION_LOGIN_ATTEMPTS_PER_MINUTE"]
    return parse(f"{per_minute}/minute")


def _throttle_keys(email: str, address: str) -> list[tuple[str, ...]]:
    return [("login-account", normalise_email(email)), ("login-address", address or "-")]


def seconds_until_allowed(email: str, address: str) -> int:
    """0 when sign-in may be tried; else how long until an attempt is allowed again."""
    item = _login_limit()
    wait = 0
    for key in _throttle_keys(email, address):
        if not limiter.limiter.test(item, *key):
            reset = limiter.limiter.get_window_stats(item, *key).reset_time
            wait = max(wait, int(reset - time.time()) + 1)
    return wait


def record_failed_login(email: str, address: str) -> None:
    item = _login_limit()
    for key in _throttle_keys(email, address):
        limiter.limiter.hit(item, *key)


# -- registration -----------------------------------------------------------------------


def create_user(
    email: str,
    name: str,
    password: str | None,
    locale: str = "en",
    roles: tuple[str, ...] = (),
    **fields,
) -> User:
    user = User(email=normalise_email(email), name=name.strip(), locale=locale, **fields)
    if password:
        set_password(user, password)
    for role in roles:
        user.grant(role)
    db.session.add(user)
    db.session.flush()
    return user


def register_city(
    user: User, name: str, country: str, region: str = "", population: int | None = None
) -> City:
    """Create a city pending verification, with ``user`` as its first focal point."""
    city = City(
        name=name.strip(),
        country=country.upper(),
        region=(region or "").strip(),
        population=population,
    )
    create(city, user)
    db.session.add(Membership(user=user, city=city))
    db.session.flush()
    return city


def cities_of(user: User) -> list[City]:
    if not user.is_authenticated:
        return []
    return list(
        db.session.scalars(
            sa.select(City)
            .join(Membership)
            .where(Membership.user_id == user.id)
            .order_by(City.name)
        )
    )


def city_ids_of(user) -> set[int]:
    """Ids of the cities the user acts for, cached for the request."""
    if not user.is_authenticated:
        return set()
    cache_key = f"_city_ids_{user.id}"
    if has_request_context() and hasattr(g, cache_key):
        return getattr(g, cache_key)
    ids = set(
        db.session.scalars(sa.select(Membership.city_id).where(Membership.user_id == user.id))
    )
    if has_request_context():
        setattr(g, cache_key, ids)
    return ids


# -- account e-mails ----------------------------------------------------------------------


def notify_registration(user: User, city: City) -> None:
    """Confirm the new focal point's address; tell those who verify cities that one waits."""
    queue(
        user,
        "confirm_email",
        in_locale(user, _l("Confirm your e-mail address")),
        link=absolute_url("accounts.confirm_email", token=make_token(user, "confirm")),
        city=city,
    )
    for officer in users_with_permission("verify", city):
        queue(
            officer,
            "city_registered",
            in_locale(officer, _l("A city awaits verification: %(city)s"), city=city.name),
            link=absolute_url("accounts.city", city_id=city.id),
            city=city,
            user=user,
        )


def _link_hours() -> int:
    return current_app.config["RECOGNITION_TOKEN_MAX_AGE"] // 3600


def notify_password_reset(user: User) -> None:
    """Send a single-use, expiring link to choose a new password."""
    queue(
        user,
        "password_reset",
        in_locale(user, _l("Reset your password")),
        link=absolute_url("accounts.reset_password", token=make_token(user, "reset")),
        hours=_link_hours(),
    )


def notify_invitation(user: User, inviter: User, role: Any) -> None:
    """Invite a reviewer or a secretariat member: a link to choose a password."""
    queue(
        user,
        "invitation",
        in_locale(user, _l("You are invited to Recognition")),
        link=absolute_url("accounts.accept_invitation", token=make_token(user, "invite")),
        inviter=inviter.name,
        role=in_locale(user, role),
        hours=_link_hours(),
    )
