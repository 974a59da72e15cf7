"""Rules of the letter workflow, and what a required letters field needs before submission.

Each predicate returns None when its rule holds, or the reason it does not.
"""

from __future__ import annotations

import hmac
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext
from ..nominations.validation import answered_elsewhere
from ..timeutil import utcnow
from ..workflow.guards import guard
from ..workflow.registry import tagged
from .models import Letter
from .tokens import token_hash


@guard("letter_link_presented", _l("the referee's link is presented"))
def letter_link_presented(letter: Letter, actor: Any, data: dict) -> Any:
    """The transition carries the letter's own token (only the referee's link has it)."""
    token = str(data.get("token") or "")
    if token and letter.token_hash and hmac.compare_digest(token_hash(token), letter.token_hash):
        return None
    return _l("Only the referee's link can send this letter.")


@guard("letter_link_current", _l("the referee's link has not expired"))
def letter_link_current(letter: Letter, actor: Any, data: dict) -> Any:
    """The referee's link has not expired."""
    if letter.expires_at is None or letter.expires_at > utcnow():
        return None
    return _l("This link has expired.")


def asked_letters(nomination_id: int, field_id: str) -> int:
    """Letters asked for a field and not replaced: awaited or received."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Letter)
            .where(
                Letter.nomination_id == nomination_id,
                Letter.field == field_id,
                sa.or_(tagged(Letter, "awaited"), tagged(Letter, "given")),
            )
        )
        or 0
    )


@answered_elsewhere("letters")
def enough_letters_asked(nomination, field) -> Any:
    """A required letters field has at least its ``min`` letters asked (awaited or received:
    the secretariat sees which arrived)."""
    minimum = int(field.min or 1)
    if asked_letters(nomination.id, field.id) >= minimum:
        return None
    return lazy_ngettext(
        "Ask at least %(num)d referee for a letter.",
        "Ask at least %(num)d referees for a letter.",
        minimum,
    )
