"""Counts written straight into VillageMonthCount (and the totals above them recomputed), for
tests of what is read from them."""

from __future__ import annotations

import datetime as dt

from lini.indicators.models import VillageMonthCount
from lini.indicators.services import totals_rebuild
from lini.regions.models import Region


def put_counts(village_code: str, month: dt.date, **counts: int) -> None:
    village = Region.objects.get(code=village_code)
    VillageMonthCount.objects.bulk_create(
        VillageMonthCount(village=village, month=month, key=key, value=value)
        for key, value in counts.items()
    )
    totals_rebuild()
