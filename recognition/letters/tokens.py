"""The referee's single-use link: a random token of 256 bits, of which only the sha256 is
stored (a database copy opens no letter form)."""

from __future__ import annotations

import hashlib
import re
import secrets

#: secrets.token_urlsafe(32): 43 URL-safe characters.
TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored of a token: its sha256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    """Whether ``token`` has a token's shape (anything else is not looked up)."""
    return bool(_TOKEN.fullmatch(token or ""))
