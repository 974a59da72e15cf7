"""Helpers for the accounts tests: signing in through the form, reading the outbox."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recognition.extensions import db
from recognition.notifications.models import OutboxMessage


@pytest.fixture
def sign_in(client):
    """POST the sign-in form: ``sign_in(email, password, **extra)`` -> response."""

    def post(email, password, follow_redirects=False, **extra):
        data = {"email": email, "password": password, **extra}
        return client.post("/login", data=data, follow_redirects=follow_redirects)

    return post


@pytest.fixture
def outbox():
    """Messages in the outbox, oldest first; ``outbox(template=..., to=...)`` filters."""

    def messages(template=None, to=None):
        db.session.expire_all()
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        if template is not None:
            stmt = stmt.where(OutboxMessage.template == template)
        if to is not None:
            stmt = stmt.where(OutboxMessage.to_email == to)
        return list(db.session.scalars(stmt))

    return messages
