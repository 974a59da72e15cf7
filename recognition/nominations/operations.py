"""Nomination operations: start, save answers, attach, submit, snapshot, compare.

Operations flush, never commit. State changes go through the workflow engine.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import City, User
from ..accounts.operations import city_ids_of
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..nominees.models import Nominee
from ..partners.models import Partner
from ..programmes.models import Call
from ..timeutil import utcnow
from ..workflow.chain import submission_digest
from ..workflow.engine import ConditionNotMet, WorkflowError, check, create, fire, operation
from .models import Attachment, Nomination, NominationSnapshot
from .storage import FileTooLarge, UploadRefused, store


class NominationRefused(Exception):
    def __init__(self, message, existing: Nomination | None = None):
        self.message = message
        self.existing = existing
        super().__init__(str(message))


def existing_nomination(call: Call, nominee: Nominee | City) -> Nomination | None:
    """The nomination of ``nominee`` (or of the city's nominee) to ``call``, if any."""
    if isinstance(nominee, City):
        clause = Nomination.city_id == nominee.id
    else:
        clause = Nomination.nominee_id == nominee.id
    return db.session.scalar(sa.select(Nomination).where(Nomination.call_id == call.id, clause))


def _already(nominee: Nominee, actor: User, found: Nomination) -> NominationRefused:
    """One nomination per nominee and call: the city is sent to its own; anyone else is
    told, without seeing a nomination that is not theirs."""
    if nominee.city_id is not None and nominee.city_id in city_ids_of(actor):
        return NominationRefused(_l("Your city already has a nomination for this call."), found)
    return NominationRefused(_l("This nominee already has a nomination for this call."))


def _consent_needed(nomination: Nomination, actor: User) -> bool:
    """Whether the nomination just started goes to its city for consent (the engine's
    ``ask_consent`` rules say so)."""
    try:
        check(nomination, "ask_consent", actor)
    except ConditionNotMet:
        return False
    return True


def last_nomination(call: Call, nominee: Nominee) -> Nomination | None:
    """The nominee's latest earlier nomination to the call's programme that went further
    than a draft — what a renewal or a new cycle can start from."""
    return db.session.scalar(
        sa.select(Nomination)
        .join(Call, Call.id == Nomination.call_id)
        .where(
            Call.programme_id == call.programme_id,
            Call.id != call.id,
            Nomination.nominee_id == nominee.id,
            Nomination.submitted_at.is_not(None),
        )
        .order_by(Nomination.submitted_at.desc(), Nomination.id.desc())
        .limit(1)
    )


def carry_over(nomination: Nomination, previous: Nomination, actor: User) -> None:
    """Copy the previous nomination's answers and evidence (the same stored files) into a
    new one, which renews it: each carried answer is marked for its authors to check."""
    known = nomination.programme.inputs
    nomination.answers = {k: v for k, v in (previous.answers or {}).items() if k in known}
    nomination.renews_id = previous.id
    fields = {f.id for section in nomination.programme.sections for f in section.fields}
    for attachment in previous.attachments:
        if attachment.field in fields:
            db.session.add(
                Attachment(
                    nomination=nomination,
                    field=attachment.field,
                    filename=attachment.filename,
                    sha256=attachment.sha256,
                    mime=attachment.mime,
                    size=attachment.size,
                    uploaded_by_id=actor.id,
                )
            )
    db.session.flush()


def carried_fields(nomination: Nomination) -> frozenset[str]:
    """The fields whose answer is still the one carried over from the nomination it renews
    (the authors are asked to check them)."""
    if nomination.renews_id is None:
        return frozenset()
    previous = db.session.get(Nomination, nomination.renews_id)
    before, now = previous.answers or {}, nomination.answers or {}
    return frozenset(
        i.field.id
        for name, i in nomination.programme.inputs.items()
        if now.get(name) not in (None, "", []) and now.get(name) == before.get(name)
    )


def start(
    call: Call,
    nominee: Nominee,
    language: str,
    actor: User,
    partner: Partner | None = None,
    previous: Nomination | None = None,
) -> Nomination:
    """Start a nomination of ``nominee`` to the call, by ``actor`` — for the nominee itself
    (a city's focal point) or on its behalf (for ``partner``, or as a registered user). One
    per nominee and call.

    The engine checks who may start it and the programme's eligibility rules; a city
    nominated by someone else is then asked to accept it (``ask_consent``).
    """
    found = existing_nomination(call, nominee)
    if found is not None:
        raise _already(nominee, actor, found)
    nomination = Nomination(
        call=call,
        call_id=call.id,
        nominee=nominee,
        nominee_id=nominee.id,
        city=nominee.city,
        city_id=nominee.city_id,
        partner=partner,
        partner_id=partner.id if partner is not None else None,
        language=language,
        created_by_id=actor.id,
        answers={},
    )
    if previous is not None:
        # Renewal rules (e.g. its annual reports all in) read what it renews.
        nomination.renews_id = previous.id
    try:
        # Two focal points of one city may start at the same moment: the unique constraint
        # decides, and the second is sent to the first one's nomination.
        with db.session.begin_nested():
            create(nomination, actor)
            if previous is not None:
                carry_over(nomination, previous, actor)
            if _consent_needed(nomination, actor):
                fire(nomination, "ask_consent", actor)
    except sa.exc.IntegrityError:
        found = existing_nomination(call, nominee)
        if found is None:
            raise
        raise _already(nominee, actor, found) from None
    except WorkflowError as exc:
        raise NominationRefused(exc.message) from exc
    return nomination


@operation("nomination", "consent")
def consent(nomination: Nomination, actor, data) -> None:
    """The nominated city accepted: its focal points and the nominator prepare it together."""
    nomination.consented_at = utcnow()


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


@operation("nomination", "submit")
@operation("nomination", "resubmit")
def submit(nomination, actor, data):
    """Date the submission and keep a snapshot of the answers and files (what changed after
    a revision is shown from the snapshots); record the snapshot's fingerprint."""
    nomination.submitted_at = utcnow()
    snap = snapshot(nomination)
    # The history row keeps the submission's fingerprint: a dossier's answers are checked
    # against it.
    return {"submission": submission_digest(snap.answers, snap.files)}


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
