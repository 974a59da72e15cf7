"""Worklists: saved queries built from the definitions ("Awaiting screening", ...).

A worklist selects the objects in its states on which the user holds one of its roles,
narrowed by an optional named filter. Queries are built in SQL from the role providers, so the
worklists cost the same number of queries whatever the data size.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any, TypeVar

import sqlalchemy as sa

from ..extensions import db
from .definition import WorkflowDefinition, Worklist
from .registry import bound_models, model_for, registry
from .security import global_roles, roles_clause

T = TypeVar("T")

#: filter name -> function(select, model, user) -> select
_filters: dict[str, Callable[[Any, type, Any], Any]] = {}


def worklist_filter(name: str):
    def register(func):
        _filters[name] = func
        return func

    return register


@dataclass(frozen=True)
class Entry:
    definition: WorkflowDefinition
    worklist: Worklist
    count: int


def query(definition: WorkflowDefinition, worklist: Worklist, user: Any) -> Any:
    """A SELECT of the worklist's objects for ``user`` (no ordering, no pagination)."""
    model = model_for(definition)
    state_column = getattr(model, definition.state_attribute)
    stmt = sa.select(model).where(
        state_column.in_(worklist.states), roles_clause(model, worklist.roles, user)
    )
    if worklist.filter:
        stmt = _filters[worklist.filter](stmt, model, user)
    return stmt


class _KeptReads:
    """Reads kept by a worker while nothing was written (each user's worklists and counts;
    other pages' reads through ``kept_read``): the app gives the site's write generation
    (``keep_counts``), which every commit that wrote moves on, and a time bound for what
    moves with the clock alone."""

    def __init__(self, size: int = 1024) -> None:
        self.generation: Callable[[], int] | None = None
        self.seconds = 0.0
        self.size = size
        self._kept: OrderedDict[tuple, tuple[int, float, Any]] = OrderedDict()
        self._lock = Lock()
        self._last_put = 0

    def get(self, key: tuple, generation: int) -> Any:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            if kept[0] != generation or time.monotonic() - kept[1] > self.seconds:
                del self._kept[key]
                return None
            self._kept.move_to_end(key)
            return kept[2]

    def put(self, key: tuple, generation: int, entries: Any) -> None:
        with self._lock:
            if generation != self._last_put:
                # What an older generation kept will never be served again: let it go now
                # rather than when its key is asked for (a ranking page's results weigh
                # some hundred kilobytes).
                self._last_put = generation
                for old in [k for k, kept in self._kept.items() if kept[0] != generation]:
                    del self._kept[old]
            self._kept[key] = (generation, time.monotonic(), entries)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_counts = _KeptReads()
_reads = _KeptReads()
#: Fewer of the large reads (a page of results with every criterion's figures).
_large_reads = _KeptReads(size=64)
_STORES = (_counts, _reads, _large_reads)


def keep_counts(
    generation: Callable[[], int] | None, seconds: float, reads_seconds: float | None = None
) -> None:
    """Keep each user's worklist counts while ``generation()`` stays the same, for at most
    ``seconds`` (None or 0: count at every request): a worklist may move with the clock (an
    overdue one). ``kept_read``'s reads, which must not, for at most ``reads_seconds``
    (default: ``seconds``)."""
    for store in _STORES:
        store.generation = generation
        store.seconds = seconds if store is _counts or reads_seconds is None else reads_seconds
        store.clear()


#: What else a process keeps of the database, forgotten with the counts.
_forgetters: list[Callable[[], None]] = []


def also_forget(forget: Callable[[], None]) -> Callable[[], None]:
    """Have ``forget_counts`` call ``forget`` too (what a feature keeps per process)."""
    if forget not in _forgetters:
        _forgetters.append(forget)
    return forget


def forget_counts() -> None:
    """Forget every kept count and read (after the database was emptied or replaced), and
    what features keep per process (``also_forget``)."""
    for store in _STORES:
        store.clear()
    for forget in _forgetters:
        forget()


def _keeping(store: _KeptReads) -> bool:
    """Whether reads may be kept now: the app keeps them, and this transaction wrote
    nothing it has not committed (which moves no generation)."""
    session = db.session
    return (
        store.generation is not None
        and store.seconds > 0
        and not (session.new or session.dirty or session.deleted or session.info.get("wrote"))
    )


def kept_read(key: tuple, compute: Callable[[], T], *, large: bool = False) -> T:
    """``compute()``, kept by this worker under ``key`` (with the database's) until anything
    is written, for at most ``RECOGNITION_KEPT_READS_SECONDS``: what ``compute`` reads
    must not move with the clock (a deadline's days left), only with what is written.
    ``large``: a read that weighs more than a count (fewer of them are kept)."""
    return _through(_large_reads if large else _reads, key, compute)


def _through(store: _KeptReads, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept in ``store`` under ``key`` (with the database's) when it may be."""
    if not _keeping(store):
        return compute()
    key = (str(db.engine.url), *key)
    generation = store.generation()
    found = store.get(key, generation)
    if found is None:
        found = compute()
        store.put(key, generation, found)
    return found


def worklists_for(user: Any) -> list[Entry]:
    """Every worklist the user may see with its item count: all the counts in one query
    (one scalar subquery per worklist), whatever the number of worklists and items; kept
    for the user while nothing was written (one cheap query says so)."""
    if user is None or not user.is_authenticated:
        return []
    return _through(_counts, (user.get_id(), frozenset(user.global_roles)), lambda: _count(user))


def _count(user: Any) -> list[Entry]:
    wanted = []
    for definition in registry().definitions.values():
        if definition.id not in bound_models():
            continue
        for worklist in definition.worklists.values():
            global_match = _global_match(worklist, user)
            if global_match is False and not _has_local_roles(worklist):
                continue
            wanted.append((definition, worklist, global_match, query(definition, worklist, user)))
    if not wanted:
        return []
    counts = db.session.execute(
        sa.select(
            *(
                sa.select(sa.func.count()).select_from(stmt.subquery()).scalar_subquery()
                for _definition, _worklist, _global, stmt in wanted
            )
        )
    ).one()
    # A worklist of local roles only (e.g. "Returned to us") shows when it holds items.
    return [
        Entry(definition, worklist, count or 0)
        for (definition, worklist, global_match, _stmt), count in zip(wanted, counts, strict=True)
        if global_match or count
    ]


def _global_match(worklist: Worklist, user: Any) -> bool:
    roles = set(worklist.roles)
    return bool(roles & {"anonymous", "authenticated"}) or not roles.isdisjoint(user.global_roles)


def _has_local_roles(worklist: Worklist) -> bool:
    return bool(set(worklist.roles) - {"anonymous", "authenticated", *global_roles()})


def validate_filters(definitions: dict[str, WorkflowDefinition]) -> list[tuple[str, str, str]]:
    problems = []
    for definition in definitions.values():
        for wl in definition.worklists.values():
            if wl.filter and wl.filter not in _filters:
                problems.append(
                    (
                        definition.source,
                        f"worklists.{wl.id}.filter",
                        f"unknown filter {wl.filter!r}",
                    )
                )
    return problems
