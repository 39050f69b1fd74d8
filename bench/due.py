"""Benchmark: a week's due list for a village and for a whole district, beside reading its rows.

    ./dev.sh bench due [--scale 1.0] [--home DIR]

In one process: a fresh database with Banten's regions, the synthetic register of Kec. Ciruas (Kab.
Serang, 15 villages) at ``--scale`` of its real population, a year of synthetic KB services, then

1. Lini: ``visits.selectors.due_list`` for the PPKBD of Desa Singamerta (one village) and for a
   counsellor of the whole district, week 2019-W44 (every rule, grouping, masking);
2. the village's and the whole district's list served as pages through Django's test client
   (rendering included; a list of more than 5 villages is a page only when asked, ``?semua=1``);
3. baseline: one plain SQL read of the rows the computation needs at least (the district's
   couples with their wives, and their KB services), fetched into Python; the floor of "looking
   at this data at all".

Each timing is the median of 7 runs after one warm-up; the peak Python memory of one district list
is taken with tracemalloc. Set LINI_DATABASE_URL (an empty database) for PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

RUNS = 7
DISTRICT = "36.04.09"  # Kec. Ciruas
VILLAGE = "36.04.09.2013"  # Desa Singamerta
WEEK = "2019-W44"

BASELINE_SQL = """
SELECT c.id, c.family_id, c.status, c.method, c.reason, c.status_since, w.name, w.birth_date,
       f.kk_number, f.dusun, f.rw, f.rt
FROM register_couple c
JOIN register_member w ON w.id = c.wife_id
JOIN register_family f ON f.id = c.family_id
JOIN regions_region r ON r.id = f.village_id
WHERE r.code LIKE %(prefix)s AND c.ended_on IS NULL
"""
SERVICES_SQL = """
SELECT s.couple_id, s.served_on, s.method, s.product, s.visit_type
FROM kb_service s
JOIN register_couple c ON c.id = s.couple_id
JOIN register_family f ON f.id = c.family_id
JOIN regions_region r ON r.id = f.village_id
WHERE r.code LIKE %(prefix)s
ORDER BY s.served_on
"""


def median_ms(run: Callable[[], object]) -> float:
    run()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--home", help="keep the database here; a second run reuses it")
    args = parser.parse_args()
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="lini-bench-due-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LINI_HOME", str(home))
    os.environ.setdefault("LINI_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("LINI_TODAY", "2019-11-01")
    os.environ.setdefault("LINI_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LINI_HTTPS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lini.settings")
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from lini.accounts.models import User
    from lini.accounts.roles import Role
    from lini.accounts.services import user_create
    from lini.kb.models import Service
    from lini.kb.synthetic import kb_generate
    from lini.regions.models import Region
    from lini.register.models import Couple, Family
    from lini.register.synthetic import population_generate
    from lini.visits.due import Week
    from lini.visits.selectors import due_list

    call_command("migrate", verbosity=0)
    if not Couple.objects.exists():
        call_command("load_regions", "--province", "36", stdout=open(os.devnull, "w"))  # noqa: SIM115
        district = Region.objects.get(code=DISTRICT)
        started = time.perf_counter()
        population_generate(region=district, scale=args.scale, seed=2019)
        kb_generate(region=district, seed=2019, today=dt.date(2019, 11, 1))
        print(f"generated in {time.perf_counter() - started:.1f} s")
    district = Region.objects.get(code=DISTRICT)
    village = Region.objects.get(code=VILLAGE)
    print(
        f"Kec. Ciruas, scale {args.scale}: {Family.objects.count():,} families, "
        f"{Couple.objects.count():,} couples, {Service.objects.count():,} KB services "
        f"({connection.vendor})"
    )

    def account(username: str, role: str, region: Region) -> User:
        found = User.objects.filter(username=username).first()
        if found is None:
            found = user_create(actor=None, username=username, role=role, regions=[region],
                                password="bench-only-password-1")  # noqa: S106  # fmt: skip
        return User.objects.get(pk=found.pk)

    cadre = account("bench.kader", Role.CADRE, village)
    counsellor = account("bench.pkb", Role.COUNSELLOR, district)
    week = Week.parse(WEEK)
    village_list = due_list(user=cadre, week=week)
    district_list = due_list(user=counsellor, week=week)
    print(
        f"lists of {WEEK}: Singamerta {village_list.families:,} families / "
        f"{len(village_list.items):,} items; Ciruas {district_list.families:,} families / "
        f"{len(district_list.items):,} items"
    )
    village_ms = median_ms(lambda: due_list(user=User.objects.get(pk=cadre.pk), week=week))
    district_ms = median_ms(lambda: due_list(user=User.objects.get(pk=counsellor.pk), week=week))
    client = Client()
    client.force_login(counsellor)

    def page(query: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(f"/kunjungan/?minggu={WEEK}&{query}")
            if response.status_code != 200:
                raise SystemExit(f"the page answered {response.status_code}")

        return run

    village_page_ms = median_ms(page(f"wilayah={VILLAGE}"))
    page_ms = median_ms(page("semua=1"))
    prefix = {"prefix": f"{DISTRICT}.%"}

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, prefix)
            cursor.fetchall()
            cursor.execute(SERVICES_SQL, prefix)
            cursor.fetchall()

    base_ms = median_ms(baseline)
    tracemalloc.start()
    due_list(user=User.objects.get(pk=counsellor.pk), week=week)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"Lini: due list of one village (Singamerta):        {village_ms:8.1f} ms")
    print(f"Lini: due list of the district (15 villages):      {district_ms:8.1f} ms")
    print(f"Lini: the village's list page, rendered:           {village_page_ms:8.1f} ms")
    print(f"Lini: the district's whole list page (?semua=1):   {page_ms:8.1f} ms")
    print(f"baseline: plain SQL read of couples and services:  {base_ms:8.1f} ms")
    print(f"peak Python memory of one district list:           {peak / 2**20:8.1f} MB")
    print(
        f"ratios: district list / baseline {district_ms / base_ms:.2f}, page / baseline {page_ms / base_ms:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
