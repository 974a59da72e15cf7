"""API tests: a client that sends a user's personal access token."""

from __future__ import annotations

import pytest

from recognition.api.operations import create_token
from recognition.extensions import db


@pytest.fixture
def bearer(app):
    """``bearer(user, scope="write")``: the Authorization header of a new token of ``user``."""

    def make(user, scope: str = "write") -> dict[str, str]:
        _row, secret = create_token(user, "tests", scope)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make
