"""Keeping the counts fresh. Every service that changes data calls :func:`counts_refresh` for
the villages it touched, inside its own transaction: the counts are rewritten with the change
or not at all. An import defers the refresh to its end (:func:`counts_deferred`) and rewrites
each touched village once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction

from lini.core.bulk import bulk_insert, db_value
from lini.indicators.counts import village_counts
from lini.indicators.models import VillageMonthCount

_deferred: ContextVar[set[int] | None] = ContextVar("lini_counts_deferred", default=None)

CHUNK = 50  # villages computed together by a rebuild


# The data whose changes move the counts (model labels as the audit trail writes them).
COUNTED_MODELS = frozenset(
    {
        "register.family", "register.contraceptiveevent", "kb.service", "poktan.poktan",
        "poktan.poktanmember", "poktan.poktanmeeting", "kampung.kampungkb", "workforce.cadre",
        "monthly.monthlyinput",
    }
)  # fmt: skip


def refresh_after_change(sender: object, *, model: str, region_code: str, **kwargs: object) -> None:
    """Receiver of ``audit.services.data_changed``: a counted record of a village changed."""
    from lini.regions.models import Region

    parts = region_code.split(".")
    if model not in COUNTED_MODELS or len(parts) < 4:
        return
    village = Region.objects.filter(code=".".join(parts[:4])).values_list("pk", flat=True).first()
    counts_refresh([village])


def counts_refresh(village_ids: Iterable[int | None]) -> None:
    """Rewrite every count of these villages (now, or at the end of a deferring import)."""
    ids = {v for v in village_ids if v is not None}
    if not ids or not settings.LINI_COUNTS_LIVE:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update(ids)
        return
    _rewrite(sorted(ids))


@contextlib.contextmanager
def counts_deferred(*, discard: bool = False) -> Iterator[None]:
    """Within this block refreshes are collected; each village is rewritten once at its end
    (``discard``: not at all, for a dry run whose writes are rolled back)."""
    if _deferred.get() is not None:  # nested: the outer block rewrites
        yield
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    ids = [] if discard else sorted(pending)
    for start in range(0, len(ids), CHUNK):
        _rewrite(ids[start : start + CHUNK])


def _rewrite(village_ids: list[int]) -> None:
    computed = village_counts(village_ids)
    month_value = {  # a date as the database stores it, once per month
        month: db_value(VillageMonthCount, "month", month)
        for tally in computed.values()
        for month, _key in tally
    }
    rows = (
        (village, month_value[month], key, value)
        for village, tally in computed.items()
        for (month, key), value in tally.items()
    )
    with transaction.atomic():
        VillageMonthCount.objects.filter(village_id__in=village_ids).delete()
        bulk_insert(VillageMonthCount, ("village", "month", "key", "value"), rows)


def counts_rebuild(*, village_ids: list[int] | None = None) -> int:
    """Recompute the counts of every village (or of ``village_ids``) from scratch; returns the
    number of villages."""
    from lini.regions.models import Region, RegionLevel

    if village_ids is None:
        village_ids = list(
            Region.objects.filter(level=RegionLevel.VILLAGE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for start in range(0, len(village_ids), CHUNK):
        _rewrite(village_ids[start : start + CHUNK])
    return len(village_ids)


def counts_check(*, village_ids: list[int] | None = None) -> list[str]:
    """The differences between the stored counts and a recomputation (none when fresh)."""
    from lini.regions.models import Region, RegionLevel

    if village_ids is None:
        village_ids = list(
            Region.objects.filter(level=RegionLevel.VILLAGE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    differences: list[str] = []
    for start in range(0, len(village_ids), CHUNK):
        chunk = village_ids[start : start + CHUNK]
        computed = village_counts(chunk)
        stored: dict[int, dict[tuple[object, str], int]] = {v: {} for v in chunk}
        for village, month, key, value in VillageMonthCount.objects.filter(
            village_id__in=chunk
        ).values_list("village_id", "month", "key", "value"):
            stored[village][(month, key)] = value
        for village in chunk:
            want, have = dict(computed[village]), stored[village]
            for month_key in sorted(set(want) | set(have), key=lambda mk: (mk[0], mk[1])):
                if want.get(month_key, 0) != have.get(month_key, 0):
                    month, key = month_key
                    differences.append(
                        f"village {village} {month:%Y-%m} {key}: stored "
                        f"{have.get(month_key, 0)}, recomputed {want.get(month_key, 0)}"
                    )
    return differences
