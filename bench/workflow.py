"""Benchmark the workflow engine: the cost of fire() per object, the engine's own overhead,
and whether memory grows with the number of objects fired.

    .venv/bin/python bench/workflow.py [--n 10000] [--skip-postgres]

Each database run verifies N pending cities (city.yaml's "verify") as the secretariat, on a
SQLite file in a temporary folder and on a temporary PostgreSQL database created on
RECOGNITION_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres)
and dropped afterwards; PostgreSQL is skipped, with a note, when it cannot be reached.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

# The project's root instead of bench/: bench/http.py must not stand in for the standard
# library's http package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.support import make_app, print_table, progress  # noqa: E402
from recognition.accounts.models import City, User  # noqa: E402
from recognition.accounts.operations import create_user  # noqa: E402
from recognition.extensions import db  # noqa: E402
from recognition.timeutil import utcnow  # noqa: E402
from recognition.workflow.engine import check, fire, fire_many  # noqa: E402
from recognition.workflow.registry import machine_for, registry  # noqa: E402
from recognition.workflow.security import forget_roles  # noqa: E402

POSTGRES_URL = os.environ.get(
    "RECOGNITION_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BATCH = 1000
#: database -> fire_many()'s time over the raw-SQL floor's (target: at most 2).
RATIOS: dict[str, float] = {}


@dataclass
class Row:
    backend: str
    mode: str
    n: int
    seconds: float

    def cells(self) -> list[str]:
        per = self.seconds / self.n
        per_text = f"{per * 1e6:,.1f} µs" if per < 1e-3 else f"{per * 1e3:,.2f} ms"
        return [
            self.backend,
            self.mode,
            f"{self.n:,}",
            f"{self.seconds:,.2f}",
            per_text,
            f"{self.n / self.seconds:,.0f}",
        ]


# -- the engine alone ------------------------------------------------------------------------


class PlainCity:
    """An in-memory object bound to city.yaml: no database row, no ORM instrumentation."""

    __workflow__ = "city"
    __slots__ = ("id", "state")

    def __init__(self, id: int):
        self.id = id
        self.state = "pending"


def bench_engine(app, n: int) -> tuple[list[Row], int]:
    """check() + the shared Machine's trigger on plain objects, roles from the request cache."""
    rows = []
    with app.test_request_context():
        db.create_all()
        definition = registry().get("city")
        machine = machine_for(definition)
        verify = machine.events["verify"]
        officer = User(id=10**9, email="officer@bench", name="Officer", active=True)
        officer.grant("secretariat")
        check(PlainCity(0), "verify", officer)  # fills the request's membership cache

        objs = [PlainCity(i) for i in range(1, n + 1)]
        start = time.perf_counter()
        for obj in objs:
            verify.trigger(obj)
        rows.append(Row("(none)", "Machine trigger only", n, time.perf_counter() - start))

        objs = [PlainCity(i) for i in range(1, n + 1)]
        with count_queries() as queries:
            start = time.perf_counter()
            for obj in objs:
                check(obj, "verify", officer, "Checked.")
                verify.trigger(obj)
                forget_roles()
            seconds = time.perf_counter() - start
        assert all(obj.state == "verified" for obj in objs)
        rows.append(Row("(none)", "check() + trigger", n, seconds))
    return rows, len(queries)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event_target = db.engine
    sa.event.listen(event_target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(event_target, "before_cursor_execute", record)


# -- with a database -------------------------------------------------------------------------


def add_cities(n: int, tag: str) -> None:
    """Insert n pending cities in one statement per thousand."""
    for start in range(0, n, BATCH):
        db.session.execute(
            sa.insert(City),
            [
                {"name": f"{tag} {i}", "country": "FR", "state": "pending"}
                for i in range(start, min(n, start + BATCH))
            ],
        )
    db.session.commit()


def pending_ids(tag: str) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(City.id)
            .where(City.state == "pending", City.name.like(f"{tag} %"))
            .order_by(City.id)
        )
    )


def fire_one_per_transaction(
    ids: list[int], officer_id: int, checkpoint: Callable[[int], None] | None = None
) -> tuple[float, float]:
    """As one request per city: load, fire (flushes), commit. Returns (total, in fire())."""
    in_fire = 0.0
    start = time.perf_counter()
    for done, city_id in enumerate(ids, 1):
        officer = db.session.get(User, officer_id)
        city = db.session.get(City, city_id)
        t = time.perf_counter()
        fire(city, "verify", officer, "Checked.")
        in_fire += time.perf_counter() - t
        db.session.commit()
        if checkpoint:
            checkpoint(done)
    return time.perf_counter() - start, in_fire


def fire_in_batches(ids: list[int], officer_id: int) -> float:
    """A bulk action: fire on each city (each flushes), commit once per batch."""
    start = time.perf_counter()
    officer = db.session.get(User, officer_id)
    for first in range(0, len(ids), BATCH):
        chunk = ids[first : first + BATCH]
        cities = db.session.scalars(sa.select(City).where(City.id.in_(chunk))).all()
        for city in cities:
            fire(city, "verify", officer, "Checked.")
        db.session.commit()
        db.session.expunge_all()
        officer = db.session.get(User, officer_id)
    return time.perf_counter() - start


def fire_many_in_batches(ids: list[int], officer_id: int) -> float:
    """The bulk action as the secretariat's pages run it: fire_many() per batch, commit."""
    start = time.perf_counter()
    for first in range(0, len(ids), BATCH):
        officer = db.session.get(User, officer_id)
        chunk = ids[first : first + BATCH]
        cities = db.session.scalars(sa.select(City).where(City.id.in_(chunk))).all()
        results = fire_many(cities, "verify", officer, "Checked.")
        assert all(r.done for r in results)
        db.session.commit()
        db.session.expunge_all()
    return time.perf_counter() - start


def raw_floor(ids: list[int], officer_id: int) -> float:
    """The floor: what any engine must write per city, by hand on the database driver's own
    cursor — one UPDATE and one INSERT per city, committed per batch, nothing read, nothing
    checked, no ORM."""
    connection = db.engine.raw_connection()
    marker = "?" if db.engine.dialect.paramstyle == "qmark" else "%s"
    update = f"UPDATE cities SET state = 'verified', version = version + 1 WHERE id = {marker}"
    insert = (
        "INSERT INTO workflow_events (workflow, object_type, object_id, transition, "
        "from_state, to_state, actor_id, comment, data, at) VALUES "
        f"('city', 'city', {marker}, 'verify', 'pending', 'verified', {marker}, 'Checked.', "
        f"'{{}}', {marker})"
    )
    start = time.perf_counter()
    try:
        cursor = connection.cursor()
        for first in range(0, len(ids), BATCH):
            now = utcnow()
            for city_id in ids[first : first + BATCH]:
                cursor.execute(update, (city_id,))
                cursor.execute(insert, (city_id, officer_id, now))
            connection.commit()
    finally:
        connection.close()
    return time.perf_counter() - start


def bench_database(backend: str, url: str, n: int) -> tuple[list[Row], list[list[str]], float]:
    app = make_app(url)
    rows: list[Row] = []
    with app.app_context():
        db.create_all()
        officer = create_user("officer@bench.example", "Officer", None, roles=("secretariat",))
        db.session.commit()
        officer_id = officer.id

        progress(f"{backend}: one transaction per city")
        add_cities(n, "single")
        ids = pending_ids("single")
        with count_queries() as queries:
            total, in_fire = fire_one_per_transaction(ids, officer_id)
        rows.append(Row(backend, "load + fire() + commit, per city", n, total))
        rows.append(Row(backend, "  of which fire() (with flush)", n, in_fire))
        statements = len(queries) / n

        progress(f"{backend}: commit per {BATCH:,} cities")
        add_cities(n, "batch")
        ids = pending_ids("batch")
        seconds = fire_in_batches(ids, officer_id)
        rows.append(Row(backend, f"fire() per city, commit per {BATCH:,}", n, seconds))

        progress(f"{backend}: fire_many() per {BATCH:,} cities")
        add_cities(n, "many")
        seconds = fire_many_in_batches(pending_ids("many"), officer_id)
        rows.append(Row(backend, f"fire_many() per {BATCH:,} cities, commit", n, seconds))
        progress(f"{backend}: the raw-SQL floor")
        add_cities(n, "raw")
        floor = raw_floor(pending_ids("raw"), officer_id)
        rows.append(Row(backend, "floor: UPDATE + INSERT per city by hand", n, floor))
        RATIOS[backend] = seconds / floor
        progress(f"{backend}: memory (tracemalloc)")
        memory = bench_memory(backend, n, officer_id)

        verified = db.session.scalar(
            sa.select(sa.func.count()).select_from(City).where(City.state == "verified")
        )
        assert verified == 5 * n, verified
        db.session.remove()
        db.engine.dispose()
    return rows, memory, statements


def bench_memory(backend: str, n: int, officer_id: int) -> list[list[str]]:
    """Traced memory while firing one city per transaction: after 1/4 and after all."""
    add_cities(n, "memory")
    ids = pending_ids("memory")
    warm_up = min(100, n // 10)
    quarter = n // 4
    marks: dict[str, int] = {}

    def checkpoint(done: int) -> None:
        if done in (warm_up, quarter, n):
            db.session.expunge_all()
            gc.collect()
            marks[{warm_up: "before", quarter: "quarter", n: "all"}[done]] = (
                tracemalloc.get_traced_memory()[0]
            )

    tracemalloc.start()
    try:
        fire_one_per_transaction(ids, officer_id, checkpoint)
    finally:
        tracemalloc.stop()
    kib = 1024
    growth = marks["all"] - marks["quarter"]
    return [
        [
            backend,
            f"{marks['before'] / kib:,.0f}",
            f"{marks['quarter'] / kib:,.0f}",
            f"{marks['all'] / kib:,.0f}",
            f"{growth / kib:+,.1f}",
            f"{growth / (n - quarter):+,.1f}",
        ]
    ]


@contextmanager
def postgres_database() -> Iterator[str | None]:
    name = f"recognition_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        print(f"Note: PostgreSQL skipped, not reachable at {POSTGRES_URL}: {exc.orig}")
        yield None
        return
    try:
        url = sa.engine.make_url(POSTGRES_URL).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="objects per run (10,000)")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    n = args.n
    if n < 40:
        parser.error("--n must be at least 40")

    print(
        f"Workflow engine benchmark — N = {n:,} — Python {platform.python_version()}, "
        f"SQLAlchemy {sa.__version__}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    rows: list[Row] = []
    memory: list[list[str]] = []
    statements: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="recognition-bench-") as folder:
        url = "sqlite:///" + str(Path(folder) / "bench.db")
        progress("the engine alone")
        engine_rows, queries = bench_engine(make_app(url), n)
        rows += engine_rows
        sqlite_rows, sqlite_memory, statements["SQLite"] = bench_database("SQLite", url, n)
        rows += sqlite_rows
        memory += sqlite_memory
    if not args.skip_postgres:
        with postgres_database() as pg_url:
            if pg_url:
                pg_rows, pg_memory, statements["PostgreSQL"] = bench_database(
                    "PostgreSQL", pg_url, n
                )
                rows += pg_rows
                memory += pg_memory

    print()
    print_table(
        ["database", "what", "objects", "seconds", "per object", "objects/s"],
        [r.cells() for r in rows],
        left=2,
    )
    print()
    print(f"SQL queries during the {n:,} check() + trigger calls: {queries}")
    for backend, count in statements.items():
        print(f"SQL statements per city, load + fire() + commit on {backend}: {count:.1f}")
    for backend, ratio in RATIOS.items():
        print(f"fire_many() ÷ raw-SQL floor on {backend}: {ratio:.2f} (target ≤ 2)")
    print()
    print("Traced memory (KiB) while firing one city per transaction (tracemalloc):")
    print_table(
        [
            "database",
            f"after {min(100, n // 10)}",
            f"after {n // 4:,}",
            f"after {n:,}",
            "growth over the last 3/4",
            "bytes per object",
        ],
        memory,
        left=1,
    )


if __name__ == "__main__":
    main()
