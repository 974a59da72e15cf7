"""Analyses that read a whole round or call — the fairness figures, the robustness verdict,
the head of a call's record — kept for every app server, computed in the background when
the call is large.

The first two read the round's whole set of scores: at campaign scale (10,000 nominations, a
quarter of a million scores) that is more than a second of work, far more than a page may
take; the head reads the last history row of each of the call's 30,000 objects (0.4 s). So:

- a small round (at most ``RECOGNITION_ANALYSIS_INLINE_SCORES`` scores) or call (the head:
  at most ``RECOGNITION_AUDIT_INLINE_NOMINATIONS`` nominations) is weighed on the page that
  shows it (a few milliseconds to some tens), and the result is held by the process;
- a larger one's analysis is read from ``kept_analyses``, where it was stored with the
  *stamp* of what it was computed from (the round's kept generation, which every review
  counted or uncounted moves on, and what else it depends on: the decisions; for the head,
  the call's last history row). When the stamp
  no longer matches, the page shows the stored figures *as of* when they were computed, says
  that newer ones are being computed, and leases the row so that one thread of one process
  computes them (``LEASE``: if that process stops, another view takes the lease once it has
  expired). Any app server reads the new figures once stored;
- a process holds what it read while the stamp stands: a page that shows current figures
  again runs no statement for them.

``refresh`` computes and stores an analysis at once: the synthetic campaign does, and the
background thread does.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import types
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

import sqlalchemy as sa
from flask import Flask, current_app

from ..extensions import db
from ..programmes.definition import Round
from ..programmes.models import Call
from ..timeutil import utcnow
from ..workflow.worklists import also_forget
from .kept import EVERYONE, _upsert, ensure_kept
from .models import KeptAnalysis, ScoreMoment

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a process may take to compute an analysis before another may take over.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Kind(Generic[T]):
    """An analysis: its name, the type of its value (to read it back from JSON), how to
    compute it, how to read what it depends on (its stamp and what ``compute`` needs) where
    no page has read it (in the background), and whether a call (its round, or the call as
    a whole: ``per_round`` False, round None) is small enough to compute it on the page."""

    name: str
    type: Any
    compute: Callable[[Call, Round | None, Any], T]
    read: Callable[[Call, Round | None], tuple[str, Any]]
    inline: Callable[[Call, Round | None], bool]
    per_round: bool = True


#: Analyses by name, for the background thread.
KINDS: dict[str, Kind] = {}


def kind(
    name: str,
    type_: Any,
    compute: Callable,
    read: Callable,
    inline: Callable | None = None,
    *,
    per_round: bool = True,
) -> Kind:
    """Register an analysis; by default a round is small enough to weigh on the page with
    at most ``RECOGNITION_ANALYSIS_INLINE_SCORES`` scores."""
    found = KINDS[name] = Kind(name, type_, compute, read, inline or few_scores, per_round)
    return found


@dataclass(frozen=True)
class Kept(Generic[T]):
    """An analysis as a page shows it: its value (None while never computed), when it was
    computed, and whether it is computed from what the round holds now."""

    value: T | None
    computed_at: datetime | None
    current: bool

    @property
    def ready(self) -> bool:
        return self.computed_at is not None


# -- values to JSON and back ---------------------------------------------------------------------


def encode(value: Any) -> str:
    return json.dumps(asdict(value) if is_dataclass(value) else value, separators=(",", ":"))


def decode(type_: Any, data: Any) -> Any:
    """``data`` (read from JSON) as ``type_``: dataclasses, tuples, lists, frozensets and
    optional values of them, field by field from their annotations."""
    return _decoder(type_)(data)


@functools.cache
def _decoder(type_: Any) -> Callable[[Any], Any]:
    """The function that reads ``type_`` back, built once per type (reading annotations
    costs far more than the values: a large verdict has thousands of rows)."""
    origin = get_origin(type_)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in get_args(type_) if a is not type(None)]
        return _optional(_decoder(inner))
    if is_dataclass(type_):
        hints = get_type_hints(type_)
        parts = [(f.name, _decoder(hints[f.name])) for f in fields(type_) if f.init]
        return _optional(lambda data: type_(**{name: part(data[name]) for name, part in parts}))
    if origin is tuple:
        args = get_args(type_)
        if len(args) == 2 and args[1] is Ellipsis:
            each = _decoder(args[0])
            return _optional(lambda data: tuple(each(x) for x in data))
        parts_ = [_decoder(a) for a in args]
        return _optional(lambda data: tuple(part(x) for part, x in zip(parts_, data, strict=True)))
    if origin in (list, frozenset, set):
        (inner,) = get_args(type_)
        each_ = _decoder(inner)
        return _optional(lambda data: origin(each_(x) for x in data))
    if type_ is float:
        return _optional(float)
    return lambda data: data


def _optional(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda data: None if data is None else read(data)


# -- reading -------------------------------------------------------------------------------------

#: (database, call, created at, round, kind) -> (the stored stamp, what the page shows).
_HELD: dict[tuple, tuple[str, Kept]] = {}
_HELD_SIZE = 16
#: Background computations started by this process, by key (tests wait for them).
_RUNNING: dict[tuple, threading.Thread] = {}


def _round_id(round_: Round | None) -> str:
    return round_.id if round_ is not None else ""


def _key(kind_: Kind, call: Call, round_: Round | None) -> tuple:
    return (str(db.engine.url), call.id, call.created_at, _round_id(round_), kind_.name)


def _hold(key: tuple, stamp: str, found: Kept) -> Kept:
    if key not in _HELD and len(_HELD) >= _HELD_SIZE:
        _HELD.pop(next(iter(_HELD)))
    _HELD[key] = (stamp, found)
    return found


def held(kind_: Kind, call: Call, round_: Round | None) -> Kept | None:
    """What this process last showed of the analysis, current or not; no statement."""
    found = _HELD.get(_key(kind_, call, round_))
    return found[1] if found else None


def few_scores(call: Call, round_: Round | None) -> bool:
    """Whether the round has at most ``RECOGNITION_ANALYSIS_INLINE_SCORES`` counted scores."""
    return scores_in(call, round_) <= current_app.config["RECOGNITION_ANALYSIS_INLINE_SCORES"]


def scores_in(call: Call, round_: Round) -> int:
    """How many counted scores the round has: its kept moments, one indexed statement."""
    return (
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(ScoreMoment.n), 0)).where(
                ScoreMoment.call_id == call.id,
                ScoreMoment.round == round_.id,
                ScoreMoment.reviewer_id == EVERYONE,
            )
        )
        or 0
    )


def kept(
    kind_: Kind[T],
    call: Call,
    round_: Round | None,
    stamp: str,
    given: Any,
    *,
    fresh: bool = False,
) -> Kept[T]:
    """The analysis of the round, computed from what ``stamp`` names (``given``: what
    ``compute`` needs of it, read by the caller). ``fresh``: compute it on the spot unless
    the stored one is current (the announcement's confirmation)."""
    key = _key(kind_, call, round_)
    last = _HELD.get(key)
    if last is not None and last[0] == stamp and last[1].current:
        return last[1]
    if not fresh and kind_.inline(call, round_):
        return _hold(key, stamp, Kept(kind_.compute(call, round_, given), utcnow(), True))
    round_id = _round_id(round_)
    row = db.session.get(KeptAnalysis, (call.id, round_id, kind_.name), populate_existing=True)
    stored = row.stamp if row is not None and row.payload is not None else None
    if stored == stamp:
        return _hold(key, stamp, Kept(_value(kind_, row, last), row.computed_at, True))
    if fresh:
        return Kept(kind_.compute(call, round_, given), utcnow(), True)
    if _claim(row, key):
        _start(key, call.id, round_id, kind_.name)
    if stored is None:
        return Kept(None, None, False)
    # Held under the stored stamp: read again on the next view, decoded again only if moved.
    return _hold(key, stored, Kept(_value(kind_, row, last), row.computed_at, False))


def _value(kind_: Kind, row: KeptAnalysis, last: tuple[str, Kept] | None) -> Any:
    if last is not None and last[0] == row.stamp and last[1].computed_at == row.computed_at:
        return last[1].value
    return decode(kind_.type, json.loads(row.payload))


# -- computing in the background -----------------------------------------------------------------


def _claim(row: KeptAnalysis | None, key: tuple) -> bool:
    """Lease the analysis for this process to compute (committed at once); False when
    another process holds the lease."""
    _, call_id, _, round_id, name = key
    now = utcnow()
    where = (
        KeptAnalysis.call_id == call_id,
        KeptAnalysis.round == round_id,
        KeptAnalysis.kind == name,
    )
    if row is not None and row.lease_until is not None and row.lease_until > now:
        return False
    try:
        if row is None:
            taken = db.session.execute(
                _upsert(KeptAnalysis)
                .values(
                    call_id=call_id, round=round_id, kind=name, stamp="", lease_until=now + LEASE
                )
                .on_conflict_do_nothing()
            ).rowcount
        else:
            taken = db.session.execute(
                sa.update(KeptAnalysis)
                .where(
                    *where,
                    sa.or_(KeptAnalysis.lease_until.is_(None), KeptAnalysis.lease_until <= now),
                )
                .values(lease_until=now + LEASE)
                .execution_options(synchronize_session=False)
            ).rowcount
        db.session.commit()
    except sa.exc.OperationalError:  # the database is busy: the next view tries again
        db.session.rollback()
        return False
    return bool(taken)


def _start(key: tuple, call_id: int, round_id: str, name: str) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=_background,
        args=(app, call_id, round_id, name),
        name=f"analysis-{name}-{call_id}-{round_id}",
        daemon=True,
    )
    _RUNNING[key] = thread
    thread.start()


def _background(app: Flask, call_id: int, round_id: str, name: str) -> None:
    with app.app_context():
        try:
            call = db.session.get(Call, call_id)
            if call is not None:
                round_ = call.programme.round(round_id) if round_id else None
                refresh(KINDS[name], call, round_)
        except Exception:  # the lease stays until it expires: a later view tries again
            log.exception("analysis %s of call %s, round %s failed", name, call_id, round_id)
            db.session.rollback()
        finally:
            db.session.remove()


def refresh(kind_: Kind, call: Call, round_: Round | None) -> None:
    """Compute the analysis from what the round (or the call) holds now, store it and
    commit."""
    stamp, given = kind_.read(call, round_)
    payload = encode(kind_.compute(call, round_, given))
    values = {"stamp": stamp, "payload": payload, "computed_at": utcnow(), "lease_until": None}
    db.session.execute(
        _upsert(KeptAnalysis)
        .values(call_id=call.id, round=_round_id(round_), kind=kind_.name, **values)
        .on_conflict_do_update(index_elements=["call_id", "round", "kind"], set_=values)
    )
    db.session.commit()


def refresh_all(call: Call) -> int:
    """Compute and store every analysis of the call's rounds too large to be weighed on a
    page (a campaign loaded in bulk), and commit; return how many."""
    done = 0
    for round_ in call.programme.rounds:
        ensure_kept(call, round_.id, commit=True)
        for kind_ in KINDS.values():
            if kind_.per_round and not kind_.inline(call, round_):
                refresh(kind_, call, round_)
                done += 1
    for kind_ in KINDS.values():
        if not kind_.per_round and not kind_.inline(call, None):
            refresh(kind_, call, None)
            done += 1
    db.session.commit()
    return done


def wait(timeout: float | None = None) -> None:
    """Wait for the computations this process started (tests, the benchmark)."""
    for key, thread in list(_RUNNING.items()):
        thread.join(timeout)
        if not thread.is_alive():
            _RUNNING.pop(key, None)


@also_forget
def forget() -> None:
    """Forget what this process holds (after the database was emptied or replaced; tests
    that play another process)."""
    _HELD.clear()
