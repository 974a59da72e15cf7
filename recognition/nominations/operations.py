"""Nomination operations: start, save answers, attach, submit, snapshot, compare.

Operations flush, never commit. State changes go through the workflow engine.
"""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from ..accounts.models import City, User
from ..extensions import db
from ..programmes.models import Call
from ..timeutil import utcnow
from ..workflow.engine import ConditionNotMet, check, fire
from ..workflow.operations import operation
from .models import Attachment, Nomination, NominationSnapshot
from .storage import FileTooLarge, UploadRefused, store


class NominationRefused(Exception):
    def __init__(self, message, existing: Nomination | None = None):
        self.message = message
        self.existing = existing
        super().__init__(str(message))


def existing_nomination(call: Call, city: City) -> Nomination | None:
    return db.session.scalar(
        sa.select(Nomination).where(Nomination.call_id == call.id, Nomination.city_id == city.id)
    )


def start(call: Call, city: City, language: str, actor: User) -> Nomination:
    """Start the city's nomination to the call (one per city and call)."""
    found = existing_nomination(call, city)
    if found is not None:
        raise NominationRefused(_l("Your city already has a nomination for this call."), found)
    if city.state != "verified":
        raise NominationRefused(_l("Your city must be verified by the secretariat first."))
    if not call.accepting_nominations():
        raise NominationRefused(not_open_message(call))
    refusal = eligibility_refusal(call, city)
    if refusal:
        raise NominationRefused(refusal)
    nomination = Nomination(
        call=call, city=city, language=language, created_by_id=actor.id, answers={}
    )
    try:
        # Two focal points of one city may start at the same moment: the unique constraint
        # decides, and the second is sent to the first one's nomination.
        with db.session.begin_nested():
            db.session.add(nomination)
    except sa.exc.IntegrityError:
        found = existing_nomination(call, city)
        if found is None:
            raise
        raise NominationRefused(_l("Your city already has a nomination for this call."), found)
    return nomination


def not_open_message(call: Call) -> Any:
    """Why the call takes no nomination now, naming the date that matters."""
    from ..i18n import deadline

    now = utcnow()
    if call.state == "open" and now < call.opens_at:
        return _l("This call opens for nominations on %(date)s.", date=deadline(call.opens_at))
    if now >= call.closes_at:
        return _l(
            "This call closed for nominations on %(deadline)s.", deadline=deadline(call.closes_at)
        )
    return _l("This call is not open for nominations.")


def eligibility_refusal(call: Call, city: City) -> Any:
    """Why the programme's eligibility rules exclude the city from this call, or None."""
    rules = call.programme.eligibility
    earlier = (
        sa.select(Nomination)
        .join(Call)
        .where(
            Call.programme_id == call.programme_id,
            Call.id != call.id,
            Nomination.city_id == city.id,
            Nomination.state == "announced",
        )
    )
    if "past_laureates_excluded" in rules and db.session.scalar(
        earlier.where(Nomination.award_level == "laureate").limit(1)
    ):
        return _l("Past Laureates of this award cannot be nominated again.")
    if "one_recognition_per_city" in rules and db.session.scalar(earlier.limit(1)):
        return _l("Your city is already recognised under this programme.")
    return None


def save_answers(nomination: Nomination, answers: dict[str, Any]) -> None:
    merged = dict(nomination.answers or {})
    merged.update(answers)
    nomination.answers = merged
    nomination.updated_at = utcnow()


def attach(nomination: Nomination, field: str, upload, actor: User) -> Attachment:
    """Store an uploaded file as evidence for ``field``; refuse what breaks the limits."""
    config = current_app.config
    max_file = config["RECOGNITION_MAX_FILE_MB"] * 1024 * 1024
    max_total = config["RECOGNITION_MAX_NOMINATION_MB"] * 1024 * 1024
    used = sum(a.size for a in nomination.attachments)
    room = max_total - used
    if room <= 0:
        raise UploadRefused(
            _l(
                "This nomination already holds %(mb)d MB of files, the most allowed.",
                mb=config["RECOGNITION_MAX_NOMINATION_MB"],
            )
        )
    try:
        stored = store(upload.stream, upload.filename or "", min(max_file, room))
    except FileTooLarge:
        if room >= max_file:
            raise
        # Within the file limit but beyond what the nomination has left: say so.
        raise UploadRefused(
            _l(
                "The files of this nomination would exceed %(mb)d MB in total. "
                "Remove a file or send a smaller one.",
                mb=config["RECOGNITION_MAX_NOMINATION_MB"],
            )
        )
    attachment = Attachment(
        nomination=nomination,
        field=field,
        filename=stored.filename,
        sha256=stored.sha256,
        mime=stored.mime,
        size=stored.size,
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    nomination.updated_at = utcnow()
    db.session.flush()
    return attachment


def files_by_field(nomination: Nomination) -> dict[str, list[Attachment]]:
    """The nomination's files grouped by the form input they answer, for display."""
    grouped: dict[str, list[Attachment]] = {}
    for attachment in nomination.attachments:
        grouped.setdefault(attachment.field, []).append(attachment)
    return grouped


def remove_attachment(attachment: Attachment) -> None:
    nomination = attachment.nomination
    nomination.attachments.remove(attachment)
    nomination.updated_at = utcnow()
    db.session.flush()


def snapshot(nomination: Nomination) -> NominationSnapshot:
    number = (
        db.session.scalar(
            sa.select(sa.func.max(NominationSnapshot.number)).where(
                NominationSnapshot.nomination_id == nomination.id
            )
        )
        or 0
    ) + 1
    snap = NominationSnapshot(
        nomination_id=nomination.id,
        number=number,
        answers=dict(nomination.answers or {}),
        files=[a.describe() for a in nomination.attachments],
    )
    db.session.add(snap)
    return snap


def snapshots(nomination: Nomination) -> list[NominationSnapshot]:
    return list(
        db.session.scalars(
            sa.select(NominationSnapshot)
            .where(NominationSnapshot.nomination_id == nomination.id)
            .order_by(NominationSnapshot.number)
        )
    )


def _submit(nomination: Nomination, actor: User, comment, transition: str, expected_version):
    from ..i18n import deadline
    from .validation import problems

    # First who and from which state (a stranger learns nothing about completeness); the
    # checks below then say precisely which condition is not met.
    with contextlib.suppress(ConditionNotMet):
        check(nomination, transition, actor, comment)
    call = nomination.call
    if transition == "submit" and not call.accepting_nominations():
        if utcnow() >= call.closes_at:
            message = _l(
                "The call closed on %(deadline)s. Nominations can no longer be submitted.",
                deadline=deadline(call.closes_at),
            )
        else:  # closed early by the secretariat, or not open yet
            message = not_open_message(call)
        raise ConditionNotMet(message, transition)
    found = problems(nomination, strict=True)
    if found:
        raise ConditionNotMet(
            lazy_ngettext(
                "The nomination is not complete: %(num)d answer is missing or invalid.",
                "The nomination is not complete: %(num)d answers are missing or invalid.",
                len(found),
            ),
            transition,
        )
    nomination.submitted_at = utcnow()
    event = fire(nomination, transition, actor, comment, expected_version=expected_version)
    snapshot(nomination)
    db.session.flush()
    return event


@operation("nomination", "submit")
def submit(nomination, actor, comment=None, expected_version=None):
    """Submit: check completeness and the deadline, lock, keep a snapshot of the answers."""
    return _submit(nomination, actor, comment, "submit", expected_version)


@operation("nomination", "resubmit")
def resubmit(nomination, actor, comment=None, expected_version=None):
    """Resubmit after a revision request; a new snapshot shows what changed."""
    return _submit(nomination, actor, comment, "resubmit", expected_version)


def diff(before: NominationSnapshot, after: NominationSnapshot | dict) -> dict[str, Any]:
    """What changed between two submissions: answers changed and files added or removed."""
    after_answers = after.answers if isinstance(after, NominationSnapshot) else after["answers"]
    after_files = after.files if isinstance(after, NominationSnapshot) else after["files"]
    names = sorted(set(before.answers) | set(after_answers))
    changed = [
        (name, before.answers.get(name), after_answers.get(name))
        for name in names
        if (before.answers.get(name) or "") != (after_answers.get(name) or "")
    ]
    old = {(f["field"], f["sha256"]): f for f in before.files}
    new = {(f["field"], f["sha256"]): f for f in after_files}
    return {
        "answers": changed,
        "files_added": [new[k] for k in new.keys() - old.keys()],
        "files_removed": [old[k] for k in old.keys() - new.keys()],
    }
