"""What the benchmarks share: the app they measure, progress on stderr, a plain table.

Scripts in bench/ put the project's root first on the import path (bench/http.py must not
stand in for the standard library's http package) and import this as ``bench.support``.
"""

from __future__ import annotations

import sys
from typing import Any


def make_app(url: str, **config: Any):
    """The app on the database ``url``, with cheap password hashing and in-memory limits;
    ``config`` adds to that."""
    from recognition import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_STORAGE_URI": "memory://",
            "RECOGNITION_ARGON2_TIME_COST": 1,
            "RECOGNITION_ARGON2_MEMORY_COST": 256,
            **config,
        }
    )


def progress(message: str) -> None:
    """Say what runs now, on stderr, so that the tables on stdout stay clean."""
    print(f"... {message}", file=sys.stderr, flush=True)


def print_table(headers: list[str], rows: list[list[str]], left: int = 1) -> None:
    """Print rows under headers: the first ``left`` columns flush left, numbers flush right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
