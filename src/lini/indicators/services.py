"""Keeping the counts fresh. Every service that changes data calls :func:`counts_refresh` for
the villages it touched, inside its own transaction: the counts are rewritten with the change
or not at all. An import defers the refresh to its end (:func:`counts_deferred`) and rewrites
each touched village once; until then each batch marks its villages in
:class:`~lini.indicators.models.PendingCounts` in its own transaction, so that an import that
is stopped half-way leaves the list of villages to rewrite."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from lini.core.bulk import bulk_add, bulk_insert, db_value
from lini.indicators.counts import village_counts
from lini.indicators.models import PendingCounts, RegionMonthCount, VillageMonthCount

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


@dataclass
class _Deferred:
    villages: set[int] = field(default_factory=set)  # to rewrite at the end
    marked: set[int] = field(default_factory=set)  # already in PendingCounts
    discard: bool = False


_deferred: ContextVar[_Deferred | None] = ContextVar("lini_counts_deferred", default=None)


def counts_refresh(village_ids: Iterable[int | None]) -> None:
    """Rewrite every count of these villages (now, or at the end of a deferring import, having
    marked them in :class:`PendingCounts` in the caller's transaction)."""
    ids = {v for v in village_ids if v is not None}
    if not ids or not settings.LINI_COUNTS_LIVE:
        return
    deferred = _deferred.get()
    if deferred is None:
        _rewrite(sorted(ids))
        return
    deferred.villages.update(ids)
    new = sorted(ids - deferred.marked)
    if new and not deferred.discard:
        PendingCounts.objects.bulk_create(
            [PendingCounts(village_id=v) for v in new], ignore_conflicts=True
        )
        # Remembered only once the batch that marked them commits (a refused batch rolls back).
        transaction.on_commit(lambda: deferred.marked.update(new))


@contextlib.contextmanager
def counts_deferred(*, discard: bool = False) -> Iterator[None]:
    """Within this block refreshes are collected; each village is rewritten once at its end
    (``discard``: not at all, for a dry run whose writes are rolled back). The end also rewrites
    the villages an earlier, interrupted import left in :class:`PendingCounts`."""
    if _deferred.get() is not None:  # nested: the outer block rewrites
        yield
        return
    deferred = _Deferred(discard=discard)
    token = _deferred.set(deferred)
    try:
        yield
    finally:
        _deferred.reset(token)
    if discard:
        return
    counts_pending_rewrite(also=deferred.villages)


def counts_pending_rewrite(*, also: Iterable[int] = ()) -> int:
    """Rewrite the villages marked in :class:`PendingCounts` (and ``also``); returns how many."""
    ids = sorted(set(also) | set(PendingCounts.objects.values_list("village_id", flat=True)))
    for start in range(0, len(ids), CHUNK):
        _rewrite(ids[start : start + CHUNK])
    return len(ids)


def _ancestors(village_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """Each village's district, regency and province (by the parent links)."""
    from lini.regions.models import Region

    rows = Region.objects.filter(pk__in=list(village_ids)).values_list(
        "pk", "parent_id", "parent__parent_id", "parent__parent__parent_id"
    )
    return {pk: tuple(a for a in above if a is not None) for pk, *above in rows}


def _rewrite(village_ids: list[int], *, totals: bool = True) -> None:
    """Rewrite the counts of these villages and (``totals``) add the difference to the totals
    of their district, regency and province, in one transaction."""
    from lini.regions.models import Region

    with transaction.atomic():
        # Two rewrites of the same village wait for each other here (PostgreSQL; SQLite writes
        # one transaction at a time), so each reads the old counts the other left.
        list(Region.objects.select_for_update().filter(pk__in=village_ids).order_by("pk")
             .values_list("pk", flat=True))  # fmt: skip
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
        if totals:
            delta: Counter[tuple[int, dt.date, str]] = Counter()
            above = _ancestors(village_ids)
            for village, month, key, value in VillageMonthCount.objects.filter(
                village_id__in=village_ids
            ).values_list("village_id", "month", "key", "value"):
                for region in above.get(village, ()):
                    delta[(region, month, key)] -= value
            for village, tally in computed.items():
                for (month, key), value in tally.items():
                    for region in above.get(village, ()):
                        delta[(region, month, key)] += value
        VillageMonthCount.objects.filter(village_id__in=village_ids).delete()
        bulk_insert(VillageMonthCount, ("village", "month", "key", "value"), rows)
        if totals:
            _totals_add(delta)
        PendingCounts.objects.filter(village_id__in=village_ids).delete()


def _totals_add(delta: Counter[tuple[int, dt.date, str]]) -> None:
    changes = sorted((k, v) for k, v in delta.items() if v)  # one lock order for everyone
    if not changes:
        return
    month_value = {
        month: db_value(RegionMonthCount, "month", month) for (_r, month, _k), _v in changes
    }
    bulk_add(
        RegionMonthCount, ("region", "month", "key"), "value",
        ((region, month_value[month], key, value) for (region, month, key), value in changes),
    )  # fmt: skip
    RegionMonthCount.objects.filter(
        region_id__in=sorted({region for (region, _m, _k), _v in changes}), value=0
    ).delete()


# The totals of each level above the villages, from the village rows: (the region column, the
# joins that reach it from the village).
_LEVELS_ABOVE = (
    ("r1.parent_id", ""),
    ("r2.parent_id", " JOIN regions_region r2 ON r2.id = r1.parent_id"),
    (
        "r3.parent_id",
        " JOIN regions_region r2 ON r2.id = r1.parent_id"
        " JOIN regions_region r3 ON r3.id = r2.parent_id",
    ),
)


def _totals_sql(select: str) -> Iterator[str]:
    counts = VillageMonthCount._meta.db_table
    for region, joins in _LEVELS_ABOVE:
        yield (
            f"{select} SELECT {region}, v.month, v.key, SUM(v.value) FROM {counts} v"  # noqa: S608
            f" JOIN regions_region r1 ON r1.id = v.village_id{joins}"
            f" WHERE {region} IS NOT NULL GROUP BY {region}, v.month, v.key"
        )


def totals_rebuild() -> None:
    """Recompute every district, regency and province total from the village counts."""
    table = RegionMonthCount._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        RegionMonthCount.objects.all().delete()
        for sql in _totals_sql(f"INSERT INTO {table} (region_id, month, key, value)"):
            cursor.execute(sql)


def totals_check() -> list[str]:
    """The differences between the stored totals and the sums of the village counts."""
    want: dict[tuple[int, dt.date, str], int] = {}
    with connection.cursor() as cursor:
        for sql in _totals_sql(""):
            cursor.execute(sql)
            for region, month, key, value in cursor.fetchall():
                want[(region, _as_date(month), key)] = value
    have = {
        (region, month, key): value
        for region, month, key, value in RegionMonthCount.objects.values_list(
            "region_id", "month", "key", "value"
        )
    }
    return [
        f"region {region} {month:%Y-%m} {key}: total {have.get(k, 0)}, sum of the villages "
        f"{want.get(k, 0)}"
        for k in sorted(set(want) | set(have))
        if want.get(k, 0) != have.get(k, 0)
        for region, month, key in [k]
    ]


def _as_date(value: object) -> dt.date:
    """A month as a raw cursor returns it (a date on PostgreSQL, text on SQLite)."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def counts_rebuild(*, village_ids: list[int] | None = None) -> int:
    """Recompute the counts of every village (or of ``village_ids``) from scratch, then the
    totals above them from the villages; returns the number of villages."""
    from lini.regions.models import Region, RegionLevel

    if village_ids is None:
        village_ids = list(
            Region.objects.filter(level=RegionLevel.VILLAGE)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    # Each chunk adds its difference to the totals as it commits, so that a rebuild stopped
    # half-way leaves totals that are the sums of the villages; the end recomputes them all from
    # the villages (mending any that were wrong before).
    for start in range(0, len(village_ids), CHUNK):
        _rewrite(village_ids[start : start + CHUNK])
    totals_rebuild()
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
    pending = [
        f"village {village}: counts to rewrite since {since:%Y-%m-%d %H:%M} (an import that did "
        f"not finish; run lini rebuild-aggregates --pending)"
        for village, since in PendingCounts.objects.order_by("village_id").values_list(
            "village_id", "since"
        )
    ]
    return pending + differences + totals_check()
