"""Benchmark: the family register at Banten scale.

    ./dev.sh bench register [--scale 1.0]

Three phases, each in its own process so that each peak memory is its own:
1. generate: a fresh database, Banten's regions, ``lini generate-population --region 36``;
2. export: the register to one CSV file (the import template's format);
3. import: that file into a fresh database with ``lini import register``, then, in the same
   process, the baseline: the same member rows through sqlite3 ``executemany`` into one plain table.

Set LINI_DATABASE_URL (an empty database) to measure on PostgreSQL; the baseline stays SQLite.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(home: Path) -> None:
    os.environ.setdefault("LINI_HOME", str(home))
    os.environ.setdefault("LINI_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lini.settings")
    import django

    django.setup()


def phase_generate(home: Path, scale: float) -> dict[str, float]:
    setup_django(home)
    from django.core.management import call_command

    from lini.regions.models import Region
    from lini.register.synthetic import population_generate

    call_command("migrate", verbosity=0)
    call_command("load_regions", "--province", "36", stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    counts = population_generate(region=Region.objects.get(code="36"), scale=scale, seed=2019)
    seconds = time.perf_counter() - started
    return {
        "families": counts.families_created,
        "members": counts.members_created,
        "seconds": seconds,
        "members_per_s": counts.members_created / seconds,
        "peak_mb": peak_mb(),
    }


def phase_export(home: Path, out: Path) -> dict[str, float]:
    setup_django(home)
    from lini.exchange.registry import get_kind
    from lini.exchange.services import export_run
    from lini.regions.models import Region

    started = time.perf_counter()
    rows = export_run(
        kind=get_kind("register"), region=Region.objects.get(code="36"), path=out, user=None
    )
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "peak_mb": peak_mb()}


def phase_import(home: Path, source: Path) -> dict[str, float]:
    setup_django(home)
    from django.core.management import call_command

    from lini.exchange.registry import get_kind
    from lini.exchange.services import import_run

    call_command("migrate", verbosity=0)
    call_command("load_regions", "--province", "36", stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.perf_counter()
    report = import_run(kind=get_kind("register"), path=source, user=None)
    seconds = time.perf_counter() - started
    result = {
        "rows": report.rows_read,
        "rejected": report.rows_rejected,
        "seconds": seconds,
        "rows_per_s": report.rows_read / seconds,
        "peak_mb": peak_mb(),
    }
    # Baseline in the same process: the same rows, no checks, into one plain table.
    db = sqlite3.connect(home / "baseline.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        db.execute(f"CREATE TABLE member ({', '.join(f'{c} TEXT' for c in header)})")
        sql = f"INSERT INTO member VALUES ({', '.join('?' * len(header))})"
        started = time.perf_counter()
        with db:
            while batch := [row for _, row in zip(range(10_000), reader, strict=False)]:
                db.executemany(sql, batch)
        base = time.perf_counter() - started
    result["baseline_seconds"] = base
    result["baseline_rows_per_s"] = report.rows_read / base
    return result


def run_phase(name: str, *args: str) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603 - this very script
        [sys.executable, __file__, "--phase", name, *args],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--phase", choices=["generate", "export", "import"])
    parser.add_argument("--home")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.phase:
        home = Path(args.home)
        if args.phase == "generate":
            result = phase_generate(home, args.scale)
        elif args.phase == "export":
            result = phase_export(home, Path(args.file))
        else:
            result = phase_import(home, Path(args.file))
        print(json.dumps(result))
        return 0

    work = Path(tempfile.mkdtemp(prefix="lini-bench-register-"))
    source, target = work / "source", work / "target"
    source.mkdir()
    target.mkdir()
    file = work / "banten.csv"
    print(f"scale {args.scale} of Banten; work in {work}")
    gen = run_phase("generate", "--home", str(source), "--scale", str(args.scale))
    print(
        f"generate-population: {gen['members']:,.0f} members, {gen['families']:,.0f} families in "
        f"{gen['seconds']:.1f} s = {gen['members_per_s']:,.0f} members/s, peak {gen['peak_mb']:,.0f} MB"
    )
    exp = run_phase("export", "--home", str(source), "--file", str(file))
    print(
        f"export register:     {exp['rows']:,.0f} rows in {exp['seconds']:.1f} s = "
        f"{exp['rows_per_s']:,.0f} rows/s, peak {exp['peak_mb']:,.0f} MB, "
        f"file {file.stat().st_size / 1e6:,.0f} MB"
    )
    imp = run_phase("import", "--home", str(target), "--file", str(file))
    print(
        f"import register:     {imp['rows']:,.0f} rows ({imp['rejected']:,.0f} rejected) in "
        f"{imp['seconds']:.1f} s = {imp['rows_per_s']:,.0f} rows/s, peak {imp['peak_mb']:,.0f} MB"
    )
    print(
        f"baseline executemany: {imp['baseline_seconds']:.1f} s = "
        f"{imp['baseline_rows_per_s']:,.0f} rows/s; import is "
        f"{imp['seconds'] / imp['baseline_seconds']:.1f}x the baseline's time"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
