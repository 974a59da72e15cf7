"""Benchmark the secretariat's exports of a large call: time, size and memory of each.

    .venv/bin/python bench/exports.py [--scale 10000] [--reuse] [--database NAME]

Builds a PostgreSQL database on RECOGNITION_BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) as ``flask recognition init`` and
``flask recognition demo --scale N`` would, then downloads each export of the synthetic call
(nominations, scores and history as CSV; the XLSX workbook: asked for, prepared by its
thread, downloaded) as the demo's secretariat, each in a fresh process so that one export's
peak does not hide another's. For each it reports the wall time (and the time to the first
byte: for the workbook, its preparation), the rows and bytes received, and how the
process's resident memory grew: VmRSS after minus before, and the peak (VmHWM, reset before
the download) minus VmRSS before. Each process first downloads the same export of a small
demo call, so that imports and caches are not counted as the export's memory. It also checks
that no connection is left checked out of the pool or idle in a transaction.

The database is dropped afterwards unless ``--reuse`` is given: then it is kept, and a later
run with ``--reuse`` and the same ``--scale`` uses it instead of loading it again.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
# The project instead of this folder: a script beside this one must not stand in for a
# standard module of the same name (bench/http.py for ``http``).
sys.path[0] = str(ROOT)

from bench.support import make_app, print_table, progress  # noqa: E402

POSTGRES_URL = os.environ.get(
    "RECOGNITION_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
EXPORTS = ("export/nominations.csv", "export/scores.csv", "export/history.csv", "workbook")
#: Gunicorn's default worker timeout: an export must finish well inside it.
WORKER_TIMEOUT = 30
SECRETARIAT = "secretariat@example.org"


# -- the database ----------------------------------------------------------------------------


def database_url(name: str) -> str:
    url = sa.engine.make_url(POSTGRES_URL).set(database=name)
    return url.render_as_string(hide_password=False)


def database_exists(name: str) -> bool:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return bool(
                conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            )
    finally:
        admin.dispose()


def create_database(name: str) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def drop_database(name: str) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def synthetic_call(url: str, n: int) -> int | None:
    """The id of the newest synthetic call of ``n`` nominations, if the database has one."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(
                sa.text("SELECT max(id) FROM calls WHERE title = :title"),
                {"title": f"Synthetic campaign of {n} nominations"},
            )
    except sa.exc.ProgrammingError:  # no schema yet
        return None
    finally:
        engine.dispose()


def load(url: str, n: int | None) -> None:
    """Migrate, then load the demo with ``n`` synthetic nominations (None: migrate only),
    as the CLI does."""
    # The workbook is asked for by a POST from this process, not from a form.
    app = make_app(url, WTF_CSRF_ENABLED=False)
    runner = app.test_cli_runner()
    commands = [["recognition", "init"]]
    if n is not None:
        commands.append(["recognition", "demo", "--scale", str(n)])
    for args in commands:
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{result.output}")
    with app.app_context():
        from recognition.extensions import db

        db.engine.dispose()


def counts(url: str, call_id: int) -> dict[str, int]:
    """How big the call is: nominations, reviews, scores, history events."""
    engine = sa.create_engine(url)
    queries = {
        "nominations": "SELECT count(*) FROM nominations WHERE call_id = :c",
        "reviews": "SELECT count(*) FROM assignments a JOIN nominations n "
        "ON n.id = a.nomination_id WHERE n.call_id = :c",
        "scores": "SELECT count(*) FROM scores s JOIN assignments a ON a.id = s.assignment_id "
        "JOIN nominations n ON n.id = a.nomination_id WHERE n.call_id = :c",
    }
    try:
        with engine.connect() as conn:
            return {k: conn.scalar(sa.text(q), {"c": call_id}) for k, q in queries.items()}
    finally:
        engine.dispose()


# -- one export, in its own process ----------------------------------------------------------


def memory_kib() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in KiB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def download(client, path: str, sink) -> tuple[int, int, float, float]:
    """GET ``path`` streamed into ``sink``: (status, bytes, seconds to the first byte,
    seconds of the request)."""
    start = time.perf_counter()
    response = client.get(path, buffered=False)
    first = None
    size = 0
    try:
        for chunk in response.response:
            if first is None:
                first = time.perf_counter() - start
            data = chunk.encode() if isinstance(chunk, str) else chunk
            size += len(data)
            sink.write(data)
    finally:
        response.close()
    return response.status_code, size, first or 0.0, time.perf_counter() - start


def prepare_workbook(client, call_id: int, sink) -> tuple[int, int, float, float]:
    """Ask for the call's workbook, wait for the thread that prepares it, download it:
    (status, bytes, seconds from asking to the download's first byte, seconds of the
    longer of the two requests)."""
    from recognition.secretariat.workbooks import latest

    start = time.perf_counter()
    response = client.post(f"/secretariat/calls/{call_id}/workbook")
    asking = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    for thread in threading.enumerate():
        if thread.name.startswith("workbook-"):
            thread.join()
    with client.application.app_context():
        workbook_id = latest(call_id).id
    prepared = time.perf_counter() - start
    status, size, first, seconds = download(
        client, f"/secretariat/calls/{call_id}/workbook/{workbook_id}.xlsx", sink
    )
    return status, size, prepared + first, max(asking, seconds)


def count_rows(path: Path, xlsx: bool) -> int:
    """Data rows (headers left out) of a downloaded export."""
    if xlsx:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            # A write-only workbook records no dimensions: count the rows.
            return sum(
                sum(1 for _row in book[name].iter_rows(values_only=True)) - 1
                for name in book.sheetnames
            )
        finally:
            book.close()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _row in csv.reader(handle)) - 1


def idle_in_transaction(url: str) -> int:
    """Sessions of the database, other than the asking one, idle inside a transaction."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                )
            )
    finally:
        engine.dispose()


def child(url: str, call_id: int, warm_call_id: int, export: str) -> None:
    """Download one export of ``call_id`` after a warm-up on ``warm_call_id``; print JSON."""
    from recognition.accounts.models import User
    from recognition.extensions import db

    # The workbook is asked for by a POST from this process, not from a form.
    app = make_app(url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == SECRETARIAT))
        user_id = user.get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    xlsx = export == "workbook"

    def fetch(call: int, sink) -> tuple[int, int, float, float]:
        if xlsx:
            return prepare_workbook(client, call, sink)
        return download(client, f"/secretariat/calls/{call}/{export}", sink)

    with tempfile.TemporaryDirectory(prefix="recognition-bench-") as folder:
        target = Path(folder) / ("export.xlsx" if xlsx else "export.csv")
        with target.open("wb") as sink:
            status, _size, _first, _request = fetch(warm_call_id, sink)
        assert status == 200, (export, status)
        before = memory_kib()
        peak_reset = reset_peak()
        start = time.perf_counter()
        with target.open("wb") as sink:
            status, size, first, request = fetch(call_id, sink)
        seconds = time.perf_counter() - start
        after = memory_kib()
        assert status == 200, (export, status)
        with app.app_context():
            checked_out = db.engine.pool.checkedout()
        rows = count_rows(target, xlsx)
    print(
        json.dumps(
            {
                "export": export,
                "seconds": seconds,
                "first_byte": first,
                "request": request,
                "rows": rows,
                "bytes": size,
                "rss_before": before["VmRSS"],
                "rss_after": after["VmRSS"],
                "peak": after["VmHWM"] if peak_reset else None,
                "checked_out": checked_out,
                "idle_in_transaction": idle_in_transaction(url),
            }
        )
    )


def run_child(url: str, call_id: int, warm_call_id: int, export: str) -> dict:
    command = [sys.executable, __file__, "--child", url, str(call_id), str(warm_call_id), export]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{export} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the table -------------------------------------------------------------------------------


def cells(result: dict) -> list[str]:
    mib = 1024
    growth = (result["rss_after"] - result["rss_before"]) / mib
    peak = (
        f"{(result['peak'] - result['rss_before']) / mib:+,.1f}"
        if result["peak"] is not None
        else "n/a"
    )
    return [
        result["export"],
        f"{result['seconds']:,.2f}",
        f"{result['first_byte']:,.2f}",
        f"{result['request']:,.2f}",
        f"{result['rows']:,}",
        f"{result['bytes'] / 1024 / 1024:,.1f}",
        f"{result['rss_before'] / mib:,.1f}",
        f"{growth:+,.1f}",
        peak,
        f"{result['checked_out']}/{result['idle_in_transaction']}",
    ]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, call_id, warm_call_id, export = sys.argv[2:6]
        child(url, int(call_id), int(warm_call_id), export)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000, help="nominations (10,000)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database, and use it if it already holds the synthetic call",
    )
    parser.add_argument("--database", help="database name (recognition_bench_exports_N)")
    parser.add_argument(
        "--only", choices=EXPORTS, action="append", help="run only this export (repeatable)"
    )
    args = parser.parse_args()
    n = args.scale
    name = args.database or f"recognition_bench_exports_{n}"
    url = database_url(name)

    try:
        exists = database_exists(name)
    except sa.exc.OperationalError as exc:
        raise SystemExit(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc.orig}") from exc
    if exists and not args.reuse:
        raise SystemExit(f"Database {name} exists: pass --reuse to use it, or another --database")
    call_id = synthetic_call(url, n) if exists else None
    try:
        if call_id is None:
            if not exists:
                create_database(name)
            progress(f"loading the demo with {n:,} synthetic nominations into {name}")
            start = time.perf_counter()
            load(url, n)
            progress(f"loaded in {time.perf_counter() - start:,.0f} s")
            call_id = synthetic_call(url, n)
        else:
            progress(f"reusing {name}")
            load(url, None)
        assert call_id is not None
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            warm_call_id = conn.scalar(
                sa.text("SELECT min(id) FROM calls WHERE title NOT LIKE 'Synthetic%'")
            )
        engine.dispose()
        size = counts(url, call_id)
        results = []
        for export in args.only or EXPORTS:
            progress(export)
            results.append(run_child(url, call_id, warm_call_id, export))
    finally:
        if not args.reuse:
            drop_database(name)

    print(
        f"Exports of a call of {size['nominations']:,} nominations, {size['reviews']:,} "
        f"reviews, {size['scores']:,} scores — PostgreSQL, Python {platform.python_version()}, "
        f"SQLAlchemy {sa.__version__}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print()
    print_table(
        [
            "export",
            "seconds",
            "first byte s",
            "longest request s",
            "rows",
            "MiB",
            "RSS before MiB",
            "RSS growth MiB",
            "peak growth MiB",
            "pool/idle-tx",
        ],
        [cells(r) for r in results],
    )
    print()
    print(
        "pool/idle-tx: connections still checked out of the pool after the download / "
        "database sessions left idle in a transaction. Both should be 0."
    )
    print(
        "longest request s: what a web worker spends on one request of the export (the "
        "workbook is prepared outside any request)."
    )
    slow = [r["export"] for r in results if r["request"] > WORKER_TIMEOUT / 2]
    if slow:
        print(f"A request over half of the worker timeout ({WORKER_TIMEOUT} s): {', '.join(slow)}")


if __name__ == "__main__":
    main()
