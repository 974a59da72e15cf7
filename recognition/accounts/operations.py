"""Account operations: passwords, sign-in checks, sessions, registration, and the account
e-mails (confirmation, reset, invitation). Throttling is in ``throttling``.

Operations flush, never commit; the view commits once.
"""

from __future__ import annotations

import contextlib
import re
from functools import cache
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..notifications.operations import absolute_url, in_locale, queue
from ..workflow.engine import create
from ..workflow.security import (
    id_list,
    ids,
    reader,
    reader_fact,
    reader_fact_columns,
    remember_reader_facts,
    users_with_permission,
)
from .models import City, Membership, User, normalise_email
from .throttling import spend
from .tokens import make_token

#: A hash to verify against when the account does not exist, so that timing tells nothing.
_DUMMY_HASH: dict[tuple[int, int], str] = {}


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


# -- sessions ----------------------------------------------------------------------------

_SESSION_ID = re.compile(r"(\d{1,18})(?::(\d{1,18}))?", re.ASCII)


def user_for_session(value: str) -> User | None:
    """The user a session (or a remember-me cookie) names, if it was opened in the user's
    current session generation; None for a revoked session."""
    match = _SESSION_ID.fullmatch(value or "")
    if match is None:
        return None
    row = db.session.execute(_user_with_facts(), {"user_id": int(match[1])}).unique().one_or_none()
    if row is None or row[0].session_generation != int(match[2] or 0):
        return None
    user = row[0]
    remember_reader_facts(user.id, row[1:])
    return user


@cache
def _user_with_facts() -> sa.Select:
    """A user with their roles and the reader's facts, in one statement: every page asks
    for them. Built once (the facts are registered at import): a statement built for each
    request costs its construction and its cache key again (~0.4 ms)."""
    return (
        sa.select(User, *reader_fact_columns(User.id))
        .options(joinedload(User.role_rows))
        .where(User.id == sa.bindparam("user_id", type_=sa.Integer))
    )


def revoke_sessions(user: User) -> None:
    """End every session of ``user``, on every device, remember-me cookies included.

    Raising the generation in SQL counts concurrent revocations right; the caller signs the
    current session in again (``login_user``) when it should stay open.
    """
    user.session_generation = User.session_generation + 1
    db.session.flush()
    db.session.refresh(user, ["session_generation"])


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
        # Its recognitions expire on the city's calendar: its first focal point's time zone.
        timezone=user.timezone or "UTC",
    )
    create(city, user)
    db.session.add(Membership(user=user, city=city))
    db.session.flush()
    return city


reader_fact(
    "city_ids", lambda user_id: id_list(Membership.city_id, Membership.user_id == user_id), ids
)


def city_ids_of(user) -> frozenset[int]:
    """Ids of the cities the user acts for (read with the user, once per request)."""
    if not user.is_authenticated:
        return frozenset()
    return reader("city_ids", user)


def cities_of(user: User) -> list[City]:
    """The cities the user acts for, by name: read only for a user who acts for some (the
    reader fact says so), not at every page of everyone else."""
    ids = city_ids_of(user)
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(City).where(City.id.in_(sorted(ids))).order_by(City.name, City.id)
        )
    )


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


def request_password_reset(email: str) -> None:
    """Send a reset link to the active account using ``email``, at most
    RECOGNITION_RESET_MAIL_LIMIT times; otherwise do nothing, visibly or not."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    if spend("reset-mail", current_app.config["RECOGNITION_RESET_MAIL_LIMIT"], str(user.id)):
        return
    notify_password_reset(user)


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


def focal_points_of(city: City) -> list[User]:
    """The city's active focal points: who is told of what concerns the city."""
    return [m.user for m in city.memberships if m.user.active]
