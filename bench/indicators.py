"""Benchmark: the province's indicator table, beside DuckDB and a plain GROUP BY on the register.

    ./dev.sh bench indicators [--scale 0.05]

In one process: a fresh database with Banten's regions and a synthetic register
(``generate-population --region 36 --scale F``), the counts built (``counts_rebuild``), then

1. Lini: the province's full indicator table for October 2019 (every indicator of the catalog,
   every regency and every district: ``indicator_values_by_region``), and the province's
   indicator page served through Django's test client (rendering included);
2. plain SQL: the couples roll-up (PUS and users by method per district at the month end, from the
   couples' current status and the wives' birth dates) as one GROUP BY over the register tables in
   the same database;
3. DuckDB: the same roll-up over the same couples, loaded into DuckDB's in-memory columnar table
   first (the query alone is timed, as the anchor of issue 5: about 46 ms on this class of machine
   at full scale).

Each timing is the median of 7 runs after one warm-up. Set LINI_DATABASE_URL (an empty database)
to measure on PostgreSQL. DuckDB is optional (``pip install duckdb``); without it that line is
skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MONTH = dt.date(2019, 10, 1)
MONTH_END = dt.date(2019, 10, 31)
RUNS = 7


def median_ms(run: Callable[[], object]) -> float:
    run()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


ROLLUP_SQL = """
SELECT substr(r.code, 1, 8) AS district, COUNT(*) AS pus,
       SUM(CASE WHEN c.status = 'pakai' THEN 1 ELSE 0 END) AS pa,
       SUM(CASE WHEN c.method = 'suntik' THEN 1 ELSE 0 END) AS pa_suntik,
       SUM(CASE WHEN c.method IN ('iud', 'implan', 'mow', 'mop') THEN 1 ELSE 0 END) AS pa_mkjp,
       SUM(CASE WHEN c.reason IN ('iat', 'tial') THEN 1 ELSE 0 END) AS unmet
FROM register_couple c
JOIN register_member w ON w.id = c.wife_id
JOIN register_family f ON f.id = c.family_id
JOIN regions_region r ON r.id = f.village_id
WHERE (c.ended_on IS NULL OR c.ended_on > %(end)s)
  AND w.birth_date > %(oldest)s AND w.birth_date <= %(youngest)s
GROUP BY 1
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument(
        "--home", help="keep the database in this folder; a second run reuses its register"
    )
    args = parser.parse_args()
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="lini-bench-indicators-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LINI_HOME", str(home))
    os.environ.setdefault("LINI_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("LINI_TODAY", "2019-11-01")
    os.environ.setdefault("LINI_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LINI_HTTPS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lini.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from lini.accounts.models import User
    from lini.accounts.roles import Role
    from lini.accounts.services import user_create
    from lini.indicators.selectors import indicator_values_by_region, period_parse
    from lini.indicators.services import counts_rebuild
    from lini.regions.models import Region, RegionLevel
    from lini.register.synthetic import population_generate

    call_command("migrate", verbosity=0)
    from lini.register.models import Couple, Member

    if Couple.objects.exists():
        banten = Region.objects.get(code="36")
        print(
            f"reusing the register in {home}: {Member.objects.count():,} members, "
            f"{Couple.objects.count():,} couples ({connection.vendor})"
        )
    else:
        call_command("load_regions", "--province", "36", stdout=open(os.devnull, "w"))  # noqa: SIM115
        banten = Region.objects.get(code="36")
        started = time.perf_counter()
        made = population_generate(region=banten, scale=args.scale, seed=2019)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        villages = counts_rebuild()
        rebuilt = time.perf_counter() - started
        print(
            f"scale {args.scale}: {made.members_created:,} members, "
            f"{made.couples_created:,} couples; generated in {generated:.1f} s; counts of "
            f"{villages:,} villages built in {rebuilt:.1f} s ({connection.vendor})"
        )

    period = period_parse(f"{MONTH:%Y-%m}")

    def province_table() -> None:
        for level in (RegionLevel.REGENCY, RegionLevel.DISTRICT):
            indicator_values_by_region(root=banten, level=level, period=period)

    officer = User.objects.filter(username="bench.banten").first() or user_create(actor=None, username="bench.banten", role=Role.PROVINCE_OFFICER,
                          regions=[banten], password="bench-only-password-1")  # noqa: S106  # fmt: skip
    client = Client()
    client.force_login(User.objects.get(pk=officer.pk))

    def province_page() -> None:
        response = client.get(f"/indikator/?region=36&period={MONTH:%Y-%m}")
        if response.status_code != 200:
            raise SystemExit(f"the page answered {response.status_code}")

    low, high = settings.LINI_PUS_MIN_AGE, settings.LINI_PUS_MAX_AGE
    params = {
        "end": MONTH_END,
        "oldest": MONTH_END.replace(year=MONTH_END.year - high - 1),
        "youngest": MONTH_END.replace(year=MONTH_END.year - low),
    }

    def plain_group_by() -> None:
        with connection.cursor() as cursor:
            cursor.execute(ROLLUP_SQL, params)
            cursor.fetchall()

    table_ms = median_ms(province_table)
    page_ms = median_ms(province_page)
    sql_ms = median_ms(plain_group_by)
    print(f"Lini: province indicator table (8 regencies + 155 districts): {table_ms:8.1f} ms")
    print(f"Lini: province indicator page, rendered:                     {page_ms:8.1f} ms")
    print(f"plain SQL GROUP BY over the register (couples roll-up):       {sql_ms:8.1f} ms")
    single_change(banten, period)
    try:
        import duckdb
    except ImportError:
        print("DuckDB: not installed (pip install duckdb); skipped")
        return 0
    # The couples go to DuckDB through a CSV file (its own fast reader; executemany of millions
    # of rows would take longer than the whole benchmark).
    import csv

    couples_csv = home / "couples.csv"
    with connection.cursor() as cursor, couples_csv.open("w", newline="") as out:
        cursor.execute("""
            SELECT r.code, c.status, c.method, c.reason, w.birth_date, c.ended_on
            FROM register_couple c JOIN register_member w ON w.id = c.wife_id
            JOIN register_family f ON f.id = c.family_id JOIN regions_region r ON r.id = f.village_id
        """)
        writer = csv.writer(out)
        while rows := cursor.fetchmany(50_000):
            writer.writerows(
                (c, s, m, r, str(b)[:10], str(e)[:10] if e else "") for c, s, m, r, b, e in rows
            )
    duck = duckdb.connect()
    duck.execute(
        "CREATE TABLE couples AS SELECT * FROM read_csv(?, header = false, columns = {"
        "'code': 'VARCHAR', 'status': 'VARCHAR', 'method': 'VARCHAR', 'reason': 'VARCHAR', "
        "'birth': 'DATE', 'ended': 'DATE'})",
        [str(couples_csv)],
    )
    couples_csv.unlink()
    duck_sql = """
        SELECT substr(code, 1, 8), COUNT(*), SUM(CASE WHEN status = 'pakai' THEN 1 ELSE 0 END),
               SUM(CASE WHEN method = 'suntik' THEN 1 ELSE 0 END),
               SUM(CASE WHEN method IN ('iud', 'implan', 'mow', 'mop') THEN 1 ELSE 0 END),
               SUM(CASE WHEN reason IN ('iat', 'tial') THEN 1 ELSE 0 END)
        FROM couples
        WHERE (ended IS NULL OR ended > ?) AND birth > ? AND birth <= ?
        GROUP BY 1
    """
    values = [params["end"], params["oldest"], params["youngest"]]
    duck_ms = median_ms(lambda: duck.execute(duck_sql, values).fetchall())
    print(f"DuckDB {duckdb.__version__}: the same roll-up, in-memory columnar: {duck_ms:8.1f} ms")
    print(
        f"ratios: table / DuckDB {table_ms / duck_ms:.2f}, page / DuckDB {page_ms / duck_ms:.2f}, "
        f"table / plain GROUP BY {table_ms / sql_ms:.2f}"
    )
    return 0


def single_change(banten: object, period: object) -> None:
    """One KB service recorded as a user records it (the couple's status, its village's counts
    and the totals above it rewritten in the same transaction), then the province's figures
    read again: the service is in them, with no job in between."""
    from django.conf import settings
    from django.db import transaction

    from lini.indicators.selectors import indicator_values
    from lini.kb.choices import VisitType
    from lini.kb.services import service_record
    from lini.register.choices import KBStatus, Method
    from lini.register.models import Couple

    settings.LINI_COUNTS_LIVE = True
    couple = (
        Couple.objects.filter(family__village__code="36.04.09.2013", ended_on=None)
        .exclude(status=KBStatus.USING)
        .exclude(wife__birth_date__lt=MONTH_END.replace(year=MONTH_END.year - 49))
        .order_by("pk")
        .first()
    )
    if couple is None:
        print("single change: no couple of Singamerta to serve; skipped")
        return
    before = indicator_values(region=banten, period=period)["pa_iud"].value
    with transaction.atomic():
        started = time.perf_counter()
        service_record(actor=None, couple=couple, served_on=MONTH_END, method=Method.IUD,
                       visit_type=VisitType.NEW)  # fmt: skip
        write_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        after = indicator_values(region=banten, period=period)["pa_iud"].value
        read_ms = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)  # leave the register as it was for the next run
    print(
        f"single change: one KB service recorded (with its village's counts and the totals "
        f"above) in {write_ms:.1f} ms; the province's IUD users then read {before} -> {after} "
        f"in {read_ms:.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
