"""Synthetic monthly inputs (F/I/Dal) for the demo: the last twelve months of most villages of a
region, deterministic for a seed (each village depends only on seed and village code).

Parameters (assumptions [GK] unless tagged; DOMAIN.md §4.11, Caklap §2):

- ``REPORTING``: a village reports a month with probability 0.90; ``CHRONIC_SHARE`` 8 % of the
  villages are chronically late and report only ``CHRONIC_REPORTING`` 35 % of months, so that
  about 85 % of villages report each month and some stand out as missing.
- Institutions that exist: 1 PPKBD (2 in 10 % of villages), 2-8 Sub-PPKBD (one per dusun/RW),
  4-20 Kelompok KB (one per RT group), BKB 1-4, BKR/BKL/UPPKA 0-3; now and then a poktan is
  added during the year. Each village has its own share of institutions that report
  (0.55-0.98), so "reported" never exceeds "exist".
- Operational activity per month: 0-2 coordination meetings, 1-8 counselling sessions, 0-4 KIE
  sessions with the KIE kit, 0-10 community/religious leaders active in KIE.
- Workflow: months before the last one are approved (a few, ``SENT_BACK_SHARE`` 4 % of the two
  months before the last, are sent back with a comment); the last month is submitted (55 %) or
  still a draft. Inputs are submitted on day 1-10 of the next month and decided 2-10 days later.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from lini.monthly.models import MonthlyInput, MonthlyStatus
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q

MONTHS = 12
REPORTING = 0.90
CHRONIC_SHARE = 0.08
CHRONIC_REPORTING = 0.35
SENT_BACK_SHARE = 0.04
SUBMITTED_SHARE = 0.55
BATCH = 2000
SENT_BACK_COMMENTS = (
    "Jumlah BKR yang lapor lebih dari biasanya, mohon dicek.",
    "Frekuensi penyuluhan belum diisi sesuai register.",
    "Kelompok KB yang ada berbeda dengan bulan lalu, mohon dijelaskan.",
)


def _month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _moment(month: dt.date, day: int, hour: int) -> dt.datetime:
    zone = timezone.get_default_timezone()
    return dt.datetime(month.year, month.month, day, hour, 0, tzinfo=zone)


def _village_inputs(
    village_id: int, code: str, *, seed: int, months: list[dt.date], skip: set[dt.date]
) -> Iterator[MonthlyInput]:
    rng = random.Random(f"{seed}:monthly:{code}")  # noqa: S311 - demo data, not secrets
    chronic = rng.random() < CHRONIC_SHARE
    reporting = CHRONIC_REPORTING if chronic else REPORTING
    exist = {
        "ppkbd": 2 if rng.random() < 0.1 else 1,
        "sub_ppkbd": rng.randint(2, 8),
        "kelompok_kb": rng.randint(4, 20),
        "bkb": rng.randint(1, 4),
        "bkr": rng.randint(0, 3),
        "bkl": rng.randint(0, 3),
        "uppka": rng.randint(0, 3),
    }
    share = rng.uniform(0.55, 0.98)
    last = months[-1]
    for month in months:
        if rng.random() < 0.03:  # a new poktan during the year
            exist[rng.choice(("bkb", "bkr", "bkl", "uppka"))] += 1
        if rng.random() >= reporting:
            continue
        values: dict[str, Any] = {}
        for key, n in exist.items():
            values[f"{key}_exist"] = n
            values[f"{key}_reported"] = sum(rng.random() < share for _i in range(n))
        values.update(
            coordination_meetings=rng.randint(0, 2),
            counselling_sessions=rng.randint(1, 8),
            kie_sessions=rng.randint(0, 4),
            kie_leaders_active=rng.randint(0, 10),
        )
        following = _month_add(month, 1)
        submitted_at = _moment(following, rng.randint(1, 10), rng.randint(8, 16))
        decided_at = submitted_at + dt.timedelta(days=rng.randint(2, 10))
        if month == last:
            if rng.random() < SUBMITTED_SHARE:
                status, version = MonthlyStatus.SUBMITTED, 2
            else:
                status, version, submitted_at = MonthlyStatus.DRAFT, 1, None
            decided_at = None
        elif month >= _month_add(last, -2) and rng.random() < SENT_BACK_SHARE:
            status, version = MonthlyStatus.SENT_BACK, 3
        else:
            status, version = MonthlyStatus.APPROVED, 3
        if month in skip:  # drawn all the same, so that the other months stay as they are
            continue
        yield MonthlyInput(
            village_id=village_id,
            month=month,
            status=status,
            version=version,
            submitted_at=submitted_at,
            decided_at=decided_at,
            comment=rng.choice(SENT_BACK_COMMENTS) if status == MonthlyStatus.SENT_BACK else "",
            **values,
        )


def monthly_generate(*, region: Region, seed: int, today: dt.date) -> dict[str, int]:
    """Create the inputs of the ``MONTHS`` months before ``today``'s month for the villages of
    ``region``; months a village already has are left alone. Returns counts per status."""
    this_month = today.replace(day=1)
    months = [_month_add(this_month, -i) for i in range(MONTHS, 0, -1)]
    villages = list(
        Region.objects.filter(subtree_q([region.code]), level=RegionLevel.VILLAGE)
        .order_by("code")
        .values_list("pk", "code")
    )
    existing: dict[int, set[dt.date]] = {}
    stored = MonthlyInput.objects.filter(
        subtree_q([region.code], field="village__code"), month__in=months
    ).values_list("village_id", "month")
    for village_id, month in stored:
        existing.setdefault(village_id, set()).add(month)
    counts = {"villages": len(villages), "inputs": 0, **dict.fromkeys(MonthlyStatus.values, 0)}
    batch: list[MonthlyInput] = []
    for village_id, code in villages:
        for item in _village_inputs(
            village_id, code, seed=seed, months=months, skip=existing.get(village_id, set())
        ):
            batch.append(item)
            counts[item.status] += 1
            if len(batch) >= BATCH:
                MonthlyInput.objects.bulk_create(batch)
                counts["inputs"] += len(batch)
                batch = []
    if batch:
        MonthlyInput.objects.bulk_create(batch)
        counts["inputs"] += len(batch)
    return counts
