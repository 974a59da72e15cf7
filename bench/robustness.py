"""Benchmark the robustness of a round's outcome (review/robustness.py) on synthetic calls.

    .venv/bin/python bench/robustness.py [--scale 1000 --scale 10000] [--runs 5]
                                         [--programme role_model_city ...] [--postgres]

For each size and programme, loads ``flask recognition demo --scale N``'s synthetic campaign
(recognition.scale.load_campaign: a call under review with N nominations, about N/20
reviewers and three reviews each, some decided) into a SQLite file in a temporary folder, or
with --postgres into a temporary PostgreSQL database on RECOGNITION_BENCH_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres), dropped afterwards. Then it
times, each the median of --runs:

- the query: the round's submitted scores (``submitted_scores``, as ``aggregate_call`` reads
  them);
- the computation: ``robustness.assess`` on those rows (leave one reviewer out and the
  bootstrap), with the call's decisions as the pages read them;
- the page's panel as the ranking shows it: a first view (decisions and names, the scores,
  the computation) and a view after it, which finds the verdict kept.

Role Model City is weighed as a qualification (five Essentials at the threshold), the
Sasakawa Award as a ranking (the recognised set, and who ranks first).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

# The project's root instead of bench/: bench/http.py must not stand in for the standard
# library's http package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.support import make_app, print_table, progress  # noqa: E402
from recognition.extensions import db  # noqa: E402
from recognition.review import analyses  # noqa: E402
from recognition.review.aggregation import submitted_scores  # noqa: E402
from recognition.review.kept import call_with_kept  # noqa: E402
from recognition.review.robustness import assess, reading  # noqa: E402
from recognition.scale import load_campaign  # noqa: E402

POSTGRES_URL = os.environ.get(
    "RECOGNITION_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PROGRAMMES = ("role_model_city", "sasakawa_award")


@contextmanager
def database(postgres: bool) -> Iterator[str]:
    """A fresh, empty database's URL: a SQLite file, or a PostgreSQL database dropped after."""
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def median_time(func: Callable[[], object], runs: int) -> tuple[float, object]:
    """The median wall time of ``runs`` calls, and what the last returned."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def seconds(value: float) -> str:
    return f"{value * 1e3:,.0f} ms" if value < 10 else f"{value:,.1f} s"


def measure(url: str, n: int, programme_id: str, runs: int) -> list[str]:
    app = make_app(url)
    with app.app_context():
        db.create_all()
        progress(f"loading {n:,} nominations of {programme_id}")
        call_id = load_campaign(n, programme_id).call.id
    with app.test_request_context():
        call = call_with_kept(call_id)
        round_ = call.programme.rounds[0]
        query, rows = median_time(lambda: submitted_scores(call.id, round_id=round_.id), runs)
        facts = reading.read_facts(call)
        outcome = reading.outcome_of(call, round_, facts)
        progress(f"weighing {len(rows):,} scores ({outcome.kind})")
        compute, verdict = median_time(lambda: assess(rows, round_.rubric, outcome), runs)

        # Weighed where it is shown, whatever the size: what the background thread does.
        app.config["RECOGNITION_ANALYSIS_INLINE_SCORES"] = 10**12

        def first_view():
            analyses.forget()
            return reading.verdict_for(call, round_)

        first, _found = median_time(first_view, runs)
        kept, _found = median_time(lambda: reading.verdict_for(call, round_), runs)
        reviews = len({(r.nomination_id, r.reviewer_id) for r in rows})
        db.session.remove()
        db.engine.dispose()
    return [
        programme_id,
        f"{n:,}",
        f"{verdict.assessed:,}",
        f"{reviews:,}",
        f"{len(rows):,}",
        seconds(query),
        seconds(compute),
        f"{verdict.resamples}",
        f"{len({h.nomination_id for h in verdict.hinges}):,}",
        seconds(first),
        seconds(kept),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, action="append", help="nominations (repeatable)")
    parser.add_argument("--programme", action="append", choices=PROGRAMMES)
    parser.add_argument("--runs", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    args = parser.parse_args()
    rows = []
    for n in args.scale or [1000, 10000]:
        for programme_id in args.programme or PROGRAMMES:
            with database(args.postgres) as url:
                rows.append(measure(url, n, programme_id, args.runs))
    print(
        f"Robustness of a round's outcome ({'PostgreSQL' if args.postgres else 'SQLite'}, "
        f"Python {platform.python_version()}, median of {args.runs} runs)\n"
    )
    print_table(
        [
            "programme",
            "call",
            "assessed",
            "reviews",
            "scores",
            "query",
            "computation",
            "resamples",
            "hinging",
            "first view",
            "kept view",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
