"""Personal access tokens: created (the token shown once), listed, revoked, and looked up
for a request, with the user's roles and reader facts, in one statement."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..extensions import db
from ..timeutil import utcnow
from ..workflow.security import reader_fact_columns, remember_reader_facts
from .models import SCOPES, ApiToken

log = logging.getLogger(__name__)
#: Every token starts so: secret scanners and people recognise one at a glance.
TOKEN_PREFIX = "rcg_"
#: How many characters of a token are kept to tell it apart ("rcg_Ab3d…").
SHOWN = 8
#: A token's last use is written at most this often (not one write per request).
LAST_USE_PRECISION = timedelta(minutes=5)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token of ``user``: the row, and the token itself, to be shown once."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name.strip(),
        scope=scope,
        token_hash=digest(token),
        prefix=token[:SHOWN],
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, in use first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )


def token_of(user: User, token_id: int) -> ApiToken | None:
    """One of the user's own tokens; None for anyone else's."""
    return db.session.scalar(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )


def revoke_token(token: ApiToken) -> None:
    """Refuse the token from now on (its row stays, to show when it was last used)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def token_for(value: str) -> ApiToken | None:
    """The token a request presents, with its user, their roles and reader facts; None when
    it is unknown, revoked, or its user may no longer sign in."""
    if not value.startswith(TOKEN_PREFIX) or len(value) > 100:
        return None
    row = (
        db.session.execute(
            sa.select(ApiToken, User, *reader_fact_columns(User.id))
            .join(User, User.id == ApiToken.user_id)
            .options(joinedload(User.role_rows))
            .where(ApiToken.token_hash == digest(value), ApiToken.revoked_at.is_(None))
        )
        .unique()
        .one_or_none()
    )
    if row is None or not row[1].is_active:
        return None
    token, user = row[0], row[1]
    remember_reader_facts(user.id, row[2:])
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        # In a transaction of its own, committed at once: a GET commits nothing, and a
        # refused write must not lose the record of the attempt.
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
                )
        except sa.exc.SQLAlchemyError:  # a record for its owner's eyes, never worth an error
            log.warning("could not record the last use of token %s", token.id, exc_info=True)
        else:
            db.session.expire(token, ["last_used_at"])
    return token
