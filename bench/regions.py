"""Benchmark: loading all of Indonesia's regions and searching them, on a fresh SQLite database
(or the database in LINI_DATABASE_URL), each beside a plain baseline run in the same process.

    ./dev.sh bench regions

Baselines: the load beside sqlite3 ``executemany`` of the same 91,599 rows into a table of the same
shape (no ORM, no checks); the search beside one hand-written SQL ``LIKE`` query on that table.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="lini-bench-"))
os.environ.setdefault("LINI_HOME", str(HOME))
os.environ.setdefault("LINI_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lini.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from lini.core.text import search_key  # noqa: E402
from lini.regions.selectors import region_search  # noqa: E402
from lini.regions.services import bundled_wilayah_csv, read_wilayah_csv, regions_load  # noqa: E402

QUERIES = ["singamerta", "kuta jaya", "serang", "sukamaju", "3604092013", "pulau", "tanjung"]
ROUNDS = 20


def baseline_load(
    rows: list[tuple[str, str, int, str, str | None]],
) -> tuple[float, sqlite3.Connection]:
    db = sqlite3.connect(HOME / "baseline.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(
        "CREATE TABLE region (id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT, "
        "search_name TEXT, level INTEGER, kind TEXT, parent_code TEXT)"
    )
    started = time.perf_counter()
    with db:
        db.executemany(
            "INSERT INTO region (code, name, search_name, level, kind, parent_code) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(c, n, search_key(n), lv, k, p) for c, n, lv, k, p in rows],
        )
    return time.perf_counter() - started, db


def timed(fn) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    path = bundled_wilayah_csv()
    rows = [
        (r.code, r.name, r.level, r.kind, r.code.rsplit(".", 1)[0] if "." in r.code else None)
        for r in read_wilayah_csv(path)
    ]

    started = time.perf_counter()
    report = regions_load(rows=read_wilayah_csv(path))
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = regions_load(rows=read_wilayah_csv(path))
    second = time.perf_counter() - started
    if report.total("created") != 91599 or again.changed:
        raise SystemExit(f"unexpected load result: {report} then {again}")
    base, db = baseline_load(rows)

    print(f"\n{'load (91,599 regions)':<34}{'seconds':>10}{'x baseline':>12}")
    print(f"{'lini load-regions, first run':<34}{first:>10.2f}{first / base:>12.1f}")
    print(f"{'lini load-regions, no change':<34}{second:>10.2f}{second / base:>12.1f}")
    print(f"{'baseline sqlite3 executemany':<34}{base:>10.2f}{1:>12.1f}")

    print(
        f"\n{'search (ms, ' + str(ROUNDS) + ' rounds)':<22}{'p50':>8}{'p95':>8}{'base p50':>10}{'x':>6}"
    )
    for query in QUERIES:
        ours = timed(lambda q=query: region_search(query=q))
        key = f"%{search_key(query)}%"
        theirs = timed(
            lambda k=key: db.execute(
                "SELECT code, name FROM region WHERE search_name LIKE ? ORDER BY level LIMIT 30",
                (k,),
            ).fetchall()
        )
        p50, p95 = statistics.median(ours), statistics.quantiles(ours, n=20)[18]
        b50 = statistics.median(theirs)
        print(f"{query:<22}{p50:>8.1f}{p95:>8.1f}{b50:>10.1f}{p50 / b50:>6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
