"""Public pages shared by every anonymous visitor: rendered once, served many times.

A public page read without an account shows the same to everyone who asks for it in the same
language (no form token, no name, no flash), so each worker keeps the rendered page under
(address, language) and serves it again while nothing was written since: every commit that
wrote a row a public page may show (any table but those whose ``info`` says
``{"public": False}``) moves the site's *page generation* on, and a page kept under an older one is
rendered again. The generation is a PostgreSQL sequence, shared by every worker and machine
(moved after the commit, so a page rendered from the old data is never kept as the new); on
SQLite, a counter of the process (SQLite serves from one process). A page is also rendered
again after ``RECOGNITION_PAGE_CACHE_SECONDS``: what depends on the clock (a deadline's days
left, an embargo's end) moves without a write.

Like Plone's plone.app.caching with a purge on every change, without a proxy to purge.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from threading import Lock
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, make_response, request, session
from sqlalchemy.orm import Session

from .extensions import db
from .i18n import current_language
from .workflow.worklists import forget_counts, keep_counts

#: The PostgreSQL sequence every commit that wrote moves on (migration f6b8d0e2a4c1; in the
#: metadata too, so that a database made by ``create_all`` has it).
SEQUENCE = sa.Sequence("page_generation", metadata=db.metadata)

_STATE = "recognition.pagecache"
log = logging.getLogger(__name__)
#: SQLite's generation: a counter of the serving process.
_process_generation = [0]


@dataclass(frozen=True)
class Kept:
    body: bytes
    content_type: str
    generation: int
    at: float


class PageCache:
    """The rendered pages of one worker, the least recently served dropped first."""

    def __init__(self, size: int, seconds: int) -> None:
        self.size, self.seconds = size, seconds
        self._pages: OrderedDict[tuple[str, str], Kept] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, str], generation: int) -> Kept | None:
        with self._lock:
            kept = self._pages.get(key)
            if kept is None:
                return None
            if kept.generation != generation or time.monotonic() - kept.at > self.seconds:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return kept

    def put(self, key: tuple[str, str], kept: Kept) -> None:
        with self._lock:
            self._pages[key] = kept
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def generation() -> int:
    """The site's page generation now.

    Outside a transaction (a kept page served: often the request's only statement) it is
    read on a connection in autocommit: one round trip, where the session's would add a
    BEGIN and a ROLLBACK to it."""
    if db.engine.dialect.name != "postgresql":
        return _process_generation[0]
    read = sa.text(f"SELECT last_value FROM {SEQUENCE.name}")
    if db.session().in_transaction():
        return db.session.execute(read).scalar_one()
    with _autocommit() as connection:
        return connection.execute(read).scalar_one()


def _autocommit() -> sa.Connection:
    """A connection whose statements are each their own transaction: one round trip each,
    with no BEGIN or COMMIT around it."""
    return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _move_on() -> None:
    """Move the generation on, after a commit that wrote (outside its transaction)."""
    if db.engine.dialect.name == "postgresql":
        try:
            with _autocommit() as connection:
                connection.execute(SEQUENCE.next_value().select())
        except sa.exc.SQLAlchemyError:
            # The commit stands: kept pages elsewhere are at most the TTL late.
            log.warning("the page generation could not move on", exc_info=True)
    else:
        _process_generation[0] += 1


def _public(table: Any) -> bool:
    """Whether a public page may show the table's rows (all but those whose table says
    ``info={"public": False}``: mail, kept aggregates, workbooks)."""
    return getattr(table, "info", {}).get("public", True)


def _wrote(session: Session, *_args: Any) -> None:
    changed = itertools.chain(session.new, session.dirty, session.deleted)
    if any(_public(getattr(type(obj), "__table__", None)) for obj in changed):
        session.info["wrote"] = True


def unshown(statement: Any) -> Any:
    """A write no page or kept read shows (a reader's own bookkeeping, such as when they last
    looked at their reviews): it leaves the page generation where it is, so that it does
    not throw away what every worker keeps."""
    return statement.execution_options(unshown=True)


def _executed(state: Any) -> None:
    if (
        (state.is_insert or state.is_update or state.is_delete)
        and not state.execution_options.get("unshown")
        and _public(getattr(state.statement, "table", None))
    ):
        state.session.info["wrote"] = True


def _committed(session: Session) -> None:
    # Kept through rollbacks (a savepoint's included): at worst one move too many.
    if session.info.pop("wrote", False):
        session.info["move_on"] = True


def _ended(session: Session, transaction: Any) -> None:
    """Once the committed transaction has given its connection back: moving on then takes
    no second connection while the first is held (threads would wait on the pool)."""
    if transaction.parent is None and session.info.pop("move_on", False):
        _move_on()


def init_app(app: Flask) -> None:
    size = app.config["RECOGNITION_PAGE_CACHE_SIZE"]
    seconds = app.config["RECOGNITION_PAGE_CACHE_SECONDS"]
    app.extensions[_STATE] = PageCache(size, seconds)
    # Signed-in pages keep each reader's worklist counts on the same terms.
    keep_counts(
        generation if size > 0 else None, seconds, app.config["RECOGNITION_KEPT_READS_SECONDS"]
    )
    if not sa.event.contains(Session, "after_commit", _committed):
        # Every session of the process: the web's, the outbox sender's, the scheduler's.
        sa.event.listen(Session, "after_flush", _wrote)
        sa.event.listen(Session, "do_orm_execute", _executed)
        sa.event.listen(Session, "after_commit", _committed)
        sa.event.listen(Session, "after_transaction_end", _ended)


def clear(app: Flask) -> None:
    """Forget the app's kept pages (after the database was emptied or replaced underneath)."""
    if _STATE in app.extensions:
        app.extensions[_STATE].clear()
    forget_counts()


def _cache() -> PageCache | None:
    cache = current_app.extensions.get(_STATE)
    return cache if cache is not None and cache.size > 0 else None


def _shared() -> bool:
    """Whether this request may be answered with, and its page kept as, what everyone sees."""
    return (
        request.method in ("GET", "HEAD")
        and not session.get("_user_id")
        and "_flashes" not in session
        and not request.cookies.get(
            current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        )
    )


def shared_page(view: Callable) -> Callable:
    """Serve the view's page from the worker's cache to anonymous visitors while the site's
    generation has not moved; keep it when it carries nothing of the visitor's own."""

    @wraps(view)
    def served(*args: Any, **kwargs: Any) -> Any:
        cache = _cache()
        if cache is None or not _shared():
            return view(*args, **kwargs)
        # The path, not the host a visitor names: absolute links come from
        # RECOGNITION_BASE_URL, and a made-up Host cannot fill the cache.
        key = (request.full_path, current_language())
        now = generation()
        kept = cache.get(key, now)
        if kept is not None:
            g.shared_page = True
            return Response(kept.body, content_type=kept.content_type, headers={"X-Cache": "hit"})
        response = make_response(view(*args, **kwargs))
        # A page that rendered a form token or a message is the visitor's own: not kept.
        if (
            response.status_code == 200
            and not response.is_streamed
            and "csrf_token" not in g
            and "_flashes" not in session
        ):
            g.shared_page = True
            kept = Kept(response.get_data(), response.content_type, now, time.monotonic())
            cache.put(key, kept)
        return response

    return served
