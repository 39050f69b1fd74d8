"""Synthetic Kampung KB profiles for ``lini demo``: deterministic for a seed, and each village
depends only on (seed, village code), so any part of a region comes out the same however it is
generated.

About :data:`PROFILE_SHARE` of the villages get a profile (Banten has about 1,550 villages; the
Kampung KB programme asks for at least one per district and most districts have several). Each
profile is drawn at one of four maturity tiers (:data:`TIERS`), from a fresh Kampung KB with no
pokja and no Rumah DataKu to a settled one with many partners; the input and process scores
follow the tier.

The class also depends on data of other apps: the output index comes from the register (CPR,
MKJP, unmet need) and from the poktan memberships (share of families in a poktan), the input from
the poktan groups and the counsellors assigned. Generate those first (register, workforce,
poktan, then this); with the demo register (CPR about 60%, MKJP about 21% of users, unmet need
about 11%) a village's output index reaches 3 only where more than 30% of its families belong to
a poktan, so Mandiri and Berkelanjutan appear where the poktan data makes them possible.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from lini.kampung.choices import Criterion, DataUse, FundingSource, Operation, RumahDataKuStatus
from lini.kampung.models import KampungKB
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q

PROFILE_SHARE = 0.40  # share of villages with a Kampung KB
FIRST_LAUNCH = dt.date(2016, 1, 14)  # the first Kampung KB was launched on 14 January 2016
BATCH = 500

# Tier: (share of profiles, P(pokja), P(pokja trained), P(regulation), P(RKM), P(secretariat),
# P(Rumah DataKu active), partners range, funding range, operations range, data uses range)
TIERS: tuple[tuple[float, float, float, float, float, float, float, tuple[int, int],
                   tuple[int, int], tuple[int, int], tuple[int, int]], ...] = (
    (0.35, 0.45, 0.10, 0.15, 0.20, 0.30, 0.05, (0, 2), (0, 1), (0, 2), (0, 1)),  # new
    (0.30, 0.85, 0.40, 0.40, 0.55, 0.60, 0.30, (1, 4), (1, 3), (1, 3), (1, 2)),  # developing
    (0.22, 0.95, 0.70, 0.70, 0.80, 0.85, 0.75, (3, 7), (2, 4), (3, 5), (2, 4)),  # settled
    (0.13, 1.00, 0.90, 0.90, 0.95, 1.00, 0.95, (5, 9), (3, 6), (4, 5), (3, 5)),  # model
)  # fmt: skip

PARTNERS = (
    "Puskesmas", "KUA", "Dinas Sosial", "Dinas Kesehatan", "TP PKK Desa", "Koramil (Babinsa)",
    "Polsek (Bhabinkamtibmas)", "Dinas Pendidikan", "Disdukcapil", "BPJS Kesehatan",
    "Karang Taruna", "Dinas Pertanian", "Dinas Koperasi dan UMKM", "Bank BJB", "BAZNAS",
    "Dinas PUPR",
)  # fmt: skip


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return last
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _some(rng: random.Random, values: list[str], low: int, high: int) -> list[str]:
    return sorted(rng.sample(values, min(len(values), rng.randint(low, high))))


def _profile(village: Region, *, seed: int, today: dt.date) -> KampungKB | None:
    rng = random.Random(f"kampung:{seed}:{village.code}")  # noqa: S311 - not security
    if rng.random() >= PROFILE_SHARE:
        return None
    tier = rng.choices(TIERS, weights=[t[0] for t in TIERS])[0]
    _share, p_pokja, p_trained, p_reg, p_rkm, p_sec, p_dataku, partners, funds, ops, uses = tier
    launched = _day_between(rng, FIRST_LAUNCH, today - dt.timedelta(days=60))
    kampung = KampungKB(
        village=village,
        name=f"Kampung KB {village.name.title()}",
        launched_on=launched if rng.random() < 0.92 else None,
        criteria=_some(rng, list(Criterion.values), 1, 3),
        regulation=rng.random() < p_reg,
        work_plan=rng.random() < p_rkm,
        partners=rng.sample(PARTNERS, rng.randint(*partners)),
        funding_sources=_some(rng, list(FundingSource.values), *funds),
        operations=_some(rng, list(Operation.values), *ops),
        data_uses=_some(rng, list(DataUse.values), *uses),
        secretariat=rng.random() < p_sec,
    )
    if rng.random() < p_pokja:
        kampung.pokja_exists = True
        kampung.pokja_members = rng.randint(5, 21) if rng.random() < 0.9 else 0
        if kampung.pokja_members and rng.random() < p_trained:
            kampung.pokja_trained = rng.randint(1, kampung.pokja_members)
        if rng.random() < 0.75:
            decree_on = _day_between(rng, launched, today)
            kampung.pokja_decree = f"{rng.randint(1, 150)}/SK-POKJA/{decree_on.year}"
            kampung.pokja_decree_on = decree_on
    roll = rng.random()
    if roll < p_dataku:
        kampung.rumah_dataku = RumahDataKuStatus.ACTIVE
    elif roll < p_dataku + (1 - p_dataku) / 3:
        kampung.rumah_dataku = rng.choice([RumahDataKuStatus.PLANNED, RumahDataKuStatus.INACTIVE])
    if kampung.rumah_dataku:
        since = _day_between(rng, max(launched, dt.date(2019, 1, 1)), today)
        kampung.rumah_dataku_since = since
        kampung.rumah_dataku_data = _some(rng, list(DataUse.values), 1, 4)
        if kampung.rumah_dataku == RumahDataKuStatus.ACTIVE:  # most updated within a year
            back = rng.randint(0, 300) if rng.random() < 0.8 else rng.randint(366, 900)
            kampung.rumah_dataku_updated_on = max(since, today - dt.timedelta(days=back))
    return kampung


def kampung_generate(*, region: Region, seed: int, today: dt.date) -> dict[str, int]:
    """Kampung KB profiles for about :data:`PROFILE_SHARE` of the villages of ``region`` (a
    village that already has one is left as it is). ``seed`` makes the draw repeatable, ``today``
    is the latest date any profile may carry. Returns ``villages`` (seen) and ``created``.
    Written with ``bulk_create`` in batches, without audit entries (demo data of the system)."""
    villages = Region.objects.filter(subtree_q([region.code]), level=RegionLevel.VILLAGE)
    existing = set(
        KampungKB.objects.filter(subtree_q([region.code], field="village__code")).values_list(
            "village_id", flat=True
        )
    )
    counts: Counter[str] = Counter()
    batch: list[KampungKB] = []
    for village in villages.order_by("code").iterator(chunk_size=2000):
        counts["villages"] += 1
        if village.pk in existing:
            continue
        kampung = _profile(village, seed=seed, today=today)
        if kampung is None:
            continue
        batch.append(kampung)
        if len(batch) >= BATCH:
            KampungKB.objects.bulk_create(batch)
            counts["created"] += len(batch)
            batch = []
    if batch:
        KampungKB.objects.bulk_create(batch)
        counts["created"] += len(batch)
    return {"villages": counts["villages"], "created": counts["created"]}
