"""Signed, expiring, single-use links for e-mail confirmation, password reset, invitations.

A token carries the user id and a fingerprint of what using it changes (the password hash,
or the unconfirmed address): once used, the fingerprint no longer matches, so a link works
once. Tampering breaks the signature.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from .models import User

PURPOSES = ("confirm", "reset", "invite")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"recognition-{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    if purpose == "confirm":
        state = f"{user.email}|{user.email_confirmed_at}"
    else:
        state = user.password_hash or "no-password"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    assert purpose in PURPOSES
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})


class TokenInvalid(Exception):
    def __init__(self, expired: bool = False):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def read_token(token: str, purpose: str) -> User:
    """Return the active user a valid, unused, unexpired token names; raise TokenInvalid
    otherwise.

    A deactivated account's links stop working too: a reset or an invitation accepted after
    the secretariat closed the account would otherwise give it a password again.
    """
    try:
        data = _serializer(purpose).loads(
            token, max_age=current_app.config["RECOGNITION_TOKEN_MAX_AGE"]
        )
    except SignatureExpired as exc:
        raise TokenInvalid(expired=True) from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc
    if not isinstance(data, dict):
        raise TokenInvalid()
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or data.get("f") != _fingerprint(user, purpose):
        raise TokenInvalid()
    return user
