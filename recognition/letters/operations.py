"""Letter operations: ask a referee, replace one, receive the letter. They flush, never
commit; states change through the workflow engine only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_login import AnonymousUserMixin

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..nominations.models import Nomination
from ..nominations.storage import StoredFile
from ..nominations.storage import store_pdf as store_pdf_upload
from ..programmes.definition import FieldDef
from ..timeutil import utcnow
from ..workflow.engine import create, fire, operation
from ..workflow.locking import lock_row
from ..workflow.registry import has_tag, tagged
from .guards import asked_letters
from .mail import queue_request
from .models import Letter
from .tokens import looks_like_token, new_token, token_hash

#: The most characters a letter written in the form keeps (about 3,000 words).
LETTER_CHARACTERS = 20_000
#: Authors remind a referee at most once in this time.
REMIND_EVERY = timedelta(days=1)


class LetterRefused(Exception):
    """The letter cannot be asked; ``message`` says why, for the user; ``field`` names the
    form field it concerns, if one does."""

    def __init__(self, message: Any, field: str = ""):
        self.message = message
        self.field = field
        super().__init__(str(message))


@dataclass(frozen=True)
class RefereeDetails:
    """Who is asked for a letter, as the authors typed it."""

    name: str
    organisation: str
    email: str
    language: str


def letters_of(nomination: Nomination) -> list[Letter]:
    """The nomination's letters, oldest first (replaced ones too)."""
    return list(
        db.session.scalars(
            sa.select(Letter).where(Letter.nomination_id == nomination.id).order_by(Letter.id)
        )
    )


def letter_by_token(token: str) -> Letter | None:
    """The letter whose link carries ``token``, whatever its state; None for any other."""
    if not looks_like_token(token):
        return None
    return db.session.scalar(sa.select(Letter).where(Letter.token_hash == token_hash(token)))


def ask(
    nomination: Nomination, field: FieldDef, referee: RefereeDetails, actor: Any
) -> tuple[Letter, str]:
    """Ask a referee for a letter for ``field``: the letter is created in its workflow and the
    referee's e-mail with the link queued. Returns the letter and its token (the link's)."""
    lock_row(nomination)  # letters asked one after the other: the field's maximum holds
    if asked_letters(nomination.id, field.id) >= int(field.max or 1):
        raise LetterRefused(
            _l("At most %(num)d letters can be asked here.", num=int(field.max or 1))
        )
    email = referee.email.strip()
    already = db.session.scalar(
        sa.select(Letter.id).where(
            Letter.nomination_id == nomination.id,
            Letter.field == field.id,
            sa.func.lower(Letter.referee_email) == email.lower(),
            sa.or_(tagged(Letter, "awaited"), tagged(Letter, "given")),
        )
    )
    if already is not None:
        raise LetterRefused(_l("This referee is already asked for a letter here."), "email")
    token = new_token()
    now = utcnow()
    letter = Letter(
        nomination=nomination,
        nomination_id=nomination.id,
        field=field.id,
        referee_name=referee.name.strip(),
        referee_organisation=referee.organisation.strip(),
        referee_email=email,
        language=referee.language,
        token_hash=token_hash(token),
        expires_at=now + timedelta(days=current_app.config["RECOGNITION_LETTER_DAYS"]),
        requested_by=actor,
        requested_by_id=actor.id,
        requested_at=now,
    )
    create(letter, actor)
    queue_request(letter, token)
    return letter, token


def replace(
    letter: Letter, referee: RefereeDetails, actor: Any, expected_version: int | None = None
) -> tuple[Letter, str]:
    """Replace the referee: the letter asked leaves (its link stops working) and another
    referee is asked for the same field."""
    field = letter.field_def
    if field is None:
        raise LetterRefused(_l("The programme no longer asks for these letters."))
    fire(letter, "replace", actor, expected_version=expected_version)
    return ask(letter.nomination, field, referee, actor)


def can_remind_now(letter: Letter) -> bool:
    """The letter is awaited and its referee was not written to in the last day."""
    last = letter.reminded_at or letter.requested_at
    return has_tag(letter, "awaited") and last <= utcnow() - REMIND_EVERY


def refusal(letter: Letter) -> Any:
    """Why the referee's link no longer opens the letter form (None while it does)."""
    if has_tag(letter, "given"):
        return _l("Your letter has been received. Thank you.")
    if not has_tag(letter, "awaited"):
        return _l("This request was withdrawn: no letter is needed from you any more.")
    if letter.expires_at is not None and letter.expires_at <= utcnow():
        return _l(
            "This link has expired. If you still want to send a letter, ask whoever "
            "requested it to send you a new link."
        )
    return None


def store_pdf(upload) -> StoredFile:
    """Store an uploaded letter: a PDF within the file size limit."""
    return store_pdf_upload(
        upload,
        "letter.pdf",
        _l("Send the letter as a PDF file."),
        _l("The file could not be stored just now. Please send it again later."),
    )


def receive(letter: Letter, token: str, text: str, stored: StoredFile | None) -> None:
    """The referee sends the letter through the link (no account): the engine checks the
    link's token and expiry before anything is written."""
    fire(
        letter,
        "receive",
        AnonymousUserMixin(),
        data={"token": token, "text": text[:LETTER_CHARACTERS], "stored": stored},
    )


@operation("letter", "receive")
def _write_letter(letter: Letter, actor: Any, data: dict) -> dict:
    letter.text = data.get("text") or ""
    stored: StoredFile | None = data.get("stored")
    if stored is not None:
        letter.filename = stored.filename
        letter.sha256 = stored.sha256
        letter.mime = stored.mime
        letter.size = stored.size
    letter.received_at = utcnow()
    return {"written": bool(letter.text), "file": stored is not None}
