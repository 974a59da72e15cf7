"""A call's record: the hash chains of its objects (the call, its nominations, their
reviews), their head, the seal its announcement puts on them, and the walk that checks
every link.

The head is the root of a Merkle tree whose leaves are the last hash of each object's
chain, sorted by object: one value that changes when any row of any of them does, and of
which a dossier carries the proof for its own nomination and reviews.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..review import analyses
from ..review.models import Assignment
from ..workflow.chain import CHAINED, breaks, leaf, merkle_levels, merkle_proof, merkle_root
from ..workflow.history import WorkflowEvent
from ..workflow.registry import definition_for
from ..workflow.security import remembered
from ..workflow.worklists import also_forget

#: The key of the sealed head in the announcement's history facts.
SEALED = "record_head"


def _types() -> tuple[str, str, str]:
    return (
        definition_for(Call).applies_to,
        definition_for(Nomination).applies_to,
        definition_for(Assignment).applies_to,
    )


def call_members(call_id: int):
    """The condition on history rows of the call's objects: the call, its nominations and
    their reviews (a call's record, and its history export)."""
    call_type, nomination_type, assignment_type = _types()
    nominations = sa.select(Nomination.id).where(Nomination.call_id == call_id)
    assignments = (
        sa.select(Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.call_id == call_id)
    )
    return sa.or_(
        sa.and_(WorkflowEvent.object_type == call_type, WorkflowEvent.object_id == call_id),
        sa.and_(
            WorkflowEvent.object_type == nomination_type,
            WorkflowEvent.object_id.in_(nominations),
        ),
        sa.and_(
            WorkflowEvent.object_type == assignment_type,
            WorkflowEvent.object_id.in_(assignments),
        ),
    )


def _by_object(
    call_id: int | None, *columns: Any, where: tuple = (), with_call: bool = False
) -> tuple[sa.Select, ...]:
    """SELECTs of ``columns`` over the history rows of the call's objects (the rows
    ``call_members`` takes; every call's when ``call_id`` is None), one per kind of object,
    each joined along its objects: the database reads the rows of those objects only, where
    a filter on the whole history would walk it backwards for an old call. ``with_call``:
    each row starts with its call's id (``call_id``)."""
    call_type, nomination_type, assignment_type = _types()

    def of(column: Any) -> tuple:
        return () if call_id is None else (column == call_id,)

    own = (WorkflowEvent.object_id.label("call_id"),) if with_call else ()
    nominations = (Nomination.call_id,) if with_call else ()
    return (
        sa.select(*own, *columns).where(
            WorkflowEvent.object_type == call_type, *of(WorkflowEvent.object_id), *where
        ),
        sa.select(*nominations, *columns)
        .join(
            Nomination,
            sa.and_(
                WorkflowEvent.object_type == nomination_type,
                WorkflowEvent.object_id == Nomination.id,
            ),
        )
        .where(*of(Nomination.call_id), *where),
        sa.select(*nominations, *columns)
        .join(
            Assignment,
            sa.and_(
                WorkflowEvent.object_type == assignment_type,
                WorkflowEvent.object_id == Assignment.id,
            ),
        )
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(*of(Nomination.call_id), *where),
    )


def call_leaves(call_id: int, before: int | None = None) -> list[tuple[str, int, str, str]]:
    """(object type, object id, its chain's last hash, the leaf) for each of the call's
    objects, sorted; ``before``: as the record stood before that history row (the seal)."""
    earlier = (WorkflowEvent.id < before,) if before is not None else ()
    parts = _by_object(call_id, sa.func.max(WorkflowEvent.id).label("last"), where=earlier)
    by_object = (WorkflowEvent.object_type, WorkflowEvent.object_id)
    lasts = sa.union_all(*(part.group_by(*by_object) for part in parts)).subquery()
    rows = db.session.execute(
        sa.select(WorkflowEvent.object_type, WorkflowEvent.object_id, WorkflowEvent.hash).where(
            WorkflowEvent.id.in_(sa.select(lasts.c.last))
        )
    ).all()
    return sorted(
        (object_type, object_id, head or "", leaf(object_type, object_id, head or ""))
        for object_type, object_id, head in rows
    )


def call_head(call_id: int, before: int | None = None) -> str:
    """The head of a call's record (now, or before history row ``before``)."""
    return merkle_root([row[3] for row in call_leaves(call_id, before)])


def seal(call: Call) -> dict[str, str]:
    """The facts the call's announcement records: its record's head as it stands, every
    decision and its telling included. The call keeps a copy for its public page, written
    beside the transition's own change of the call (its version moves once, with that)."""
    head = call_head(call.id)
    db.session.execute(sa.update(Call).where(Call.id == call.id).values(record_head=head))
    set_committed_value(call, "record_head", head)
    return {SEALED: head}


def sealing_event(call_id: int) -> WorkflowEvent | None:
    """The history row of the call that sealed its record (its announcement), if any."""
    call_type = _types()[0]
    return db.session.scalars(
        sa.select(WorkflowEvent)
        .where(
            WorkflowEvent.object_type == call_type,
            WorkflowEvent.object_id == call_id,
            WorkflowEvent.data[SEALED].as_string().is_not(None),
        )
        .order_by(WorkflowEvent.id.desc())
        .limit(1)
    ).first()


def proofs(call_id: int, objects: list[tuple[str, int]]) -> dict[str, Any] | None:
    """For a dossier: the sealed head of the call and, for each of ``objects``, the row its
    chain ended with at the seal and the path from its leaf to the head. None before the
    call is announced."""
    sealing = sealing_event(call_id)
    if sealing is None:
        return None
    leaves = call_leaves(call_id, before=sealing.id)
    levels = merkle_levels([row[3] for row in leaves])
    index = {(t, i): n for n, (t, i, _head, _leaf) in enumerate(leaves)}
    found = []
    for key in objects:
        n = index.get(key)
        if n is None:
            continue
        object_type, object_id, head, _leaf = leaves[n]
        found.append(
            {
                "object_type": object_type,
                "object_id": object_id,
                "head": head,
                "proof": merkle_proof(levels, n),
            }
        )
    return {
        "head": sealing.data[SEALED],
        "sealed_at": sealing.at.isoformat(timespec="seconds") + "Z",
        "sealed_by_row": sealing.id,
        "objects": found,
    }


# -- checking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A broken link, or a seal the record no longer matches."""

    text: str
    row_id: int | None = None

    def __str__(self) -> str:
        return self.text


def _rows(call_id: int | None) -> Iterator[dict[str, Any]]:
    columns = [WorkflowEvent.id, WorkflowEvent.hash, *(getattr(WorkflowEvent, c) for c in CHAINED)]
    stmt = sa.select(*columns).order_by(
        WorkflowEvent.object_type, WorkflowEvent.object_id, WorkflowEvent.id
    )
    if call_id is not None:
        stmt = stmt.where(call_members(call_id))
    result = db.session.execute(stmt.execution_options(yield_per=2000))
    for row in result.mappings():
        yield dict(row)


@dataclass
class Report:
    """What ``verify`` walked, and what it found wrong (the first broken link first)."""

    rows: int = 0
    chains: int = 0
    seals: int = 0
    problems: list[Problem] = field(default_factory=list)


def verify(call_id: int | None = None, limit: int = 100) -> Report:
    """Walk every chain (the call's only, when given), then every call's seal; report at most
    ``limit`` problems, the first broken link first."""
    report = Report()
    previous = None

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal previous
        for row in _rows(call_id):
            report.rows += 1
            key = (row["object_type"], row["object_id"])
            if key != previous:
                report.chains += 1
                previous = key
            yield row

    for found in breaks(counted()):
        if len(report.problems) < limit:
            report.problems.append(Problem(str(found), found.row_id))
    # The calls with a seal in their history, or a copy of one on their row: either alone
    # is a change to report.
    sealed = sa.select(WorkflowEvent.object_id).where(
        WorkflowEvent.object_type == _types()[0],
        WorkflowEvent.data[SEALED].as_string().is_not(None),
    )
    calls = sa.select(Call.id, Call.record_head).where(
        sa.or_(Call.record_head.is_not(None), Call.id.in_(sealed))
    )
    if call_id is not None:
        calls = calls.where(Call.id == call_id)
    for cid, kept in db.session.execute(calls.order_by(Call.id)).all():
        report.seals += 1
        problem = _check_seal(cid, kept)
        if problem is not None and len(report.problems) < limit:
            report.problems.append(problem)
    return report


def _check_seal(call_id: int, kept: str | None) -> Problem | None:
    sealing = sealing_event(call_id)
    if sealing is None:
        return Problem(f"call {call_id}: its announcement's history row holds no seal")
    sealed = sealing.data[SEALED]
    if kept != sealed:
        return Problem(
            f"call {call_id}: the head shown on its public page ({kept}) is not the one its "
            f"announcement sealed ({sealed})",
            sealing.id,
        )
    now = call_head(call_id, before=sealing.id)
    if now != sealed:
        return Problem(
            f"call {call_id}: its record before the announcement (row {sealing.id}) no longer "
            f"has the head sealed then: {now} instead of {sealed}",
            sealing.id,
        )
    return None


def _own_last(call_id: int) -> int:
    """The id of the last history row of the call's record (a few milliseconds for a small
    call, some tens at 10,000 nominations)."""
    parts = _by_object(call_id, sa.func.max(WorkflowEvent.id).label("last"))
    lasts = sa.union_all(*parts).subquery()
    return db.session.scalar(sa.select(sa.func.max(lasts.c.last))) or 0


def _few_nominations(call: Call, _round: Any = None) -> bool:
    """Whether the call is small enough to compute its head on the audit page. Every call's
    size is read in one statement, once per request: the audit page asks for each call."""
    sizes = remembered(
        ("nominations per call",),
        lambda: dict(
            db.session.execute(
                sa.select(Nomination.call_id, sa.func.count()).group_by(Nomination.call_id)
            ).all()
        ),
    )
    return sizes.get(call.id, 0) <= current_app.config["RECOGNITION_AUDIT_INLINE_NOMINATIONS"]


#: The head of a call's record now, kept like the round's analyses: computed on the page for
#: a small call, in the background for a large one (0.4 s at 10,000 nominations).
HEAD = analyses.kind(
    "record head",
    str,
    lambda call, _round, _given: call_head(call.id),
    lambda call, _round: (str(_own_last(call.id)), None),
    _few_nominations,
    per_round=False,
)


def _grown_since(since: int) -> dict[int, int]:
    """call id -> the last history row of its record, for the calls whose record has rows
    after ``since``: one statement over the rows added since (along the primary key)."""
    added = _by_object(None, WorkflowEvent.id, where=(WorkflowEvent.id > since,), with_call=True)
    rows = sa.union_all(*added).subquery()
    return dict(
        db.session.execute(
            sa.select(rows.c.call_id, sa.func.max(rows.c.id)).group_by(rows.c.call_id)
        ).all()
    )


#: database -> (the whole history's last row when last checked, call -> its record's last
#: row as then, for the calls looked at).
_SEEN: dict[str, tuple[int, dict[int, int]]] = {}
also_forget(_SEEN.clear)


def current_heads(calls: list[Call]) -> dict[int, analyses.Kept[str]]:
    """The head of each call's record now (``analyses.kept``: for a large call, as last
    computed while a newer one is computed in the background).

    What each call's record last grew by is kept per process: while the history has not
    grown (one statement says so) nothing more is read; when it has, one statement reads
    the rows added since, and only the calls they belong to are looked at again (an
    announced call's head is not recomputed with every review of this cycle's). A call not
    seen yet by this process has its record's last row read on its own.
    """
    database = str(db.engine.url)
    last = db.session.scalar(sa.select(sa.func.max(WorkflowEvent.id))) or 0
    seen_at, own = _SEEN.get(database, (None, {}))
    own = dict(own) if seen_at is None or seen_at <= last else {}  # not a history replaced
    if seen_at is not None and seen_at < last:
        own.update(_grown_since(seen_at))
    for call in calls:
        if call.id not in own:
            own[call.id] = _own_last(call.id)
    _SEEN[database] = (last, own)
    return {call.id: analyses.kept(HEAD, call, None, str(own[call.id]), None) for call in calls}
