"""The planner's statistics are refreshed after bulk writes (without them SQLite scans every
family of the province for a village's list)."""

from __future__ import annotations

import pytest

from django.db import connection

from lini.core.statistics import statistics_refresh
from lini.regions.tests.places import SINGAMERTA
from lini.register.tests.factories import make_family

pytestmark = pytest.mark.django_db


def _families_known_to_the_planner() -> float | None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'register_family' LIMIT 1")
            row = cursor.fetchone()
            return None if row is None else float(row[0].split()[0])
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'register_family'")
        tuples = cursor.fetchone()[0]
        return None if tuples < 0 else float(tuples)


def test_the_statistics_know_the_families_after_a_refresh() -> None:
    for n in range(3):
        make_family(SINGAMERTA, kk=f"36040920139900{n:02d}", head_nik=f"36040908089900{n:02d}")
    assert _families_known_to_the_planner() in (None, 0.0)
    statistics_refresh()
    assert _families_known_to_the_planner() == 3.0
