"""Synthetic counsellors and cadres for ``lini demo``, tests and benchmarks.

Deterministic for a seed: each district depends only on (seed, district code), so any part of a
region comes out the same however it is generated. Districts that already have counsellors and
villages that already have cadres are left as they are, so running it again adds nothing.
Written with ``bulk_create`` (no audit entries: this is the system filling a demo).

The shape, every figure an assumption [GK] to be checked against a real roster:

- one counsellor per 2-4 neighbouring villages of a district; about 8% of villages have none
  (vacant posts, the reason the "no counsellor" warning exists);
- 70% PKB (civil servants, with an 18-digit NIP: birth date, appointment month, sex, serial),
  30% PLKB without NIP;
- 60% IPeKB members, of whom about 6% sit on the regency board (DPC) and 2% on the province
  board (DPD);
- a PPKBD in about 90% of villages, a Sub-PPKBD for each dusun (or RW, where a village has no
  dusun) that exists, and 2-5 poktan cadres per village (kind "poktan", attached to groups later
  by the poktan generator); most cadres are women, about 65% trained.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.workforce.models import Cadre, CadreKind, Counsellor, CounsellorKind, IPeKBLevel


@dataclass(frozen=True)
class Parameters:
    reference_day: dt.date = dt.date(2019, 10, 31)  # the demo's scenario: before the 2019 baksos
    villages_without_counsellor: float = 0.08
    villages_per_counsellor: tuple[int, int] = (2, 4)
    pkb_share: float = 0.70
    ipekb_member: float = 0.60
    ipekb_dpc: float = 0.06  # of members
    ipekb_dpd: float = 0.02  # of members
    ppkbd: float = 0.90
    poktan_cadres: tuple[int, int] = (2, 5)
    trained: float = 0.65
    cadre_women: float = 0.85
    batch: int = 2000


_MEN = (
    "Ahmad", "Asep", "Budi", "Dadang", "Dedi", "Eko", "Hendra", "Iwan", "Jajang", "Komarudin",
    "Mulyadi", "Nanang", "Rahmat", "Ridwan", "Saepul", "Tatang", "Ujang", "Wahyu", "Yayan",
    "Zaenal",
)  # fmt: skip
_WOMEN = (
    "Ai", "Cucu", "Dewi", "Eni", "Euis", "Fitri", "Hana", "Imas", "Iis", "Lilis", "Nani", "Neneng",
    "Nurhayati", "Popon", "Rina", "Siti", "Sri", "Tuti", "Wati", "Yuyun",
)  # fmt: skip
_FAMILY = (
    "Hidayat", "Saputra", "Rohman", "Suhendi", "Kurniawan", "Setiawan", "Maulana", "Hasanah",
    "Sulaeman", "Permana", "Rosita", "Fauzi", "Nurjanah", "Supriatna", "Kusnadi", "Jubaedah",
)  # fmt: skip
_POSITIONS = ("ketua", "wakil ketua", "sekretaris", "bendahara", "anggota pengurus")


def _seeded(seed: int, *parts: object) -> random.Random:
    return random.Random(f"{seed}:workforce:" + ":".join(str(p) for p in parts))  # noqa: S311


def _name(rng: random.Random, *, woman: bool) -> str:
    return f"{rng.choice(_WOMEN if woman else _MEN)} {rng.choice(_FAMILY)}"


def _phone(rng: random.Random) -> str:
    return f"08{rng.choice('1235789')}{rng.randint(0, 9_999_999_999):010d}"[:13]


def _nip(rng: random.Random, *, woman: bool, used: set[str], params: Parameters) -> str:
    year = params.reference_day.year
    born = dt.date(rng.randint(year - 55, year - 25), rng.randint(1, 12), rng.randint(1, 28))
    appointed = min(born.year + rng.randint(22, 30), year)
    serial = rng.randint(1, 400)
    while True:
        nip = f"{born:%Y%m%d}{appointed}{rng.randint(1, 12):02d}{2 if woman else 1}{serial:03d}"
        if nip not in used:
            used.add(nip)
            return nip
        serial = serial % 999 + 1


def _since(rng: random.Random, params: Parameters) -> dt.date:
    start = dt.date(2005, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, params.reference_day.toordinal()))


def workforce_generate(
    *, region: Region, seed: int, params: Parameters | None = None
) -> dict[str, int]:
    """Counsellors for the districts and cadres for the villages of ``region`` (any level).

    ``seed`` makes the result reproducible; ``params`` changes the shares (see the module's
    docstring). Returns how many of each were added."""
    params = params or Parameters()
    villages = list(
        Region.objects.filter(subtree_q([region.code]), level=RegionLevel.VILLAGE)
        .order_by("code")
        .values_list("pk", "code")
    )
    by_district: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, code in villages:
        by_district[code.rsplit(".", 1)[0]].append((pk, code))
    districts = dict(
        Region.objects.filter(code__in=by_district, level=RegionLevel.DISTRICT).values_list(
            "code", "pk"
        )
    )
    staffed = set(
        Counsellor.objects.filter(district__code__in=by_district).values_list(
            "district__code", flat=True
        )
    )
    with_cadres = set(
        Cadre.objects.filter(village_id__in=[pk for pk, _c in villages]).values_list(
            "village_id", flat=True
        )
    )
    areas = _areas(region)
    used_nips = set(Counsellor.objects.exclude(nip=None).values_list("nip", flat=True))
    counts = {"counsellors": 0, "villages_looked_after": 0, "ppkbd": 0, "sub_ppkbd": 0, "poktan": 0}
    counsellors: list[tuple[Counsellor, list[int]]] = []
    cadres: list[Cadre] = []

    for district_code, district_villages in by_district.items():
        rng = _seeded(seed, district_code)
        if district_code not in staffed and district_code in districts:
            covered = [
                pk for pk, _code in district_villages
                if rng.random() >= params.villages_without_counsellor
            ]  # fmt: skip
            while covered:
                take = rng.randint(*params.villages_per_counsellor)
                group, covered = covered[:take], covered[take:]
                counsellors.append(
                    (_counsellor(rng, districts[district_code], used_nips, params), group)
                )
        for pk, code in district_villages:
            if pk not in with_cadres:
                cadres.extend(_village_cadres(_seeded(seed, code), pk, areas.get(pk, []), params))
        if len(counsellors) >= params.batch or len(cadres) >= params.batch:
            _write(counsellors, cadres, counts)
            counsellors, cadres = [], []
    _write(counsellors, cadres, counts)
    return counts


def _areas(region: Region) -> dict[int, list[int]]:
    """The units a Sub-PPKBD works in, per village id: its dusun, or its RW when it has none."""
    units = Region.objects.filter(
        subtree_q([region.code]), level__in=(RegionLevel.DUSUN, RegionLevel.RW)
    ).values_list("pk", "code", "level")
    dusun: dict[str, list[int]] = defaultdict(list)
    rw: dict[str, list[int]] = defaultdict(list)
    for pk, code, level in units:
        village_code = ".".join(code.split(".")[:4])
        (dusun if level == RegionLevel.DUSUN else rw)[village_code].append(pk)
    codes = set(dusun) | set(rw)
    ids = dict(Region.objects.filter(code__in=codes).values_list("code", "pk"))
    return {ids[code]: dusun.get(code) or rw[code] for code in codes if code in ids}


def _counsellor(
    rng: random.Random, district_id: int, used_nips: set[str], params: Parameters
) -> Counsellor:
    woman = rng.random() < 0.5
    pkb = rng.random() < params.pkb_share
    member = rng.random() < params.ipekb_member
    level, position = "", ""
    if member:
        point = rng.random()
        if point < params.ipekb_dpd:
            level, position = IPeKBLevel.PROVINCE, rng.choice(_POSITIONS)
        elif point < params.ipekb_dpd + params.ipekb_dpc:
            level, position = IPeKBLevel.REGENCY, rng.choice(_POSITIONS)
    return Counsellor(
        name=_name(rng, woman=woman),
        nip=_nip(rng, woman=woman, used=used_nips, params=params) if pkb else None,
        kind=CounsellorKind.PKB if pkb else CounsellorKind.PLKB,
        district_id=district_id,
        phone=_phone(rng),
        ipekb_member=member,
        ipekb_level=level,
        ipekb_position=position,
    )


def _village_cadres(
    rng: random.Random, village_id: int, areas: list[int], params: Parameters
) -> list[Cadre]:
    names: set[tuple[str, str]] = set()

    def cadre(kind: str, area: int | None = None) -> Cadre:
        name = _name(rng, woman=rng.random() < params.cadre_women)
        while (kind, name) in names:
            name = _name(rng, woman=rng.random() < params.cadre_women)
        names.add((kind, name))
        return Cadre(
            name=name, kind=kind, village_id=village_id, area_id=area,
            phone=_phone(rng) if rng.random() < 0.8 else "",
            trained=rng.random() < params.trained, since=_since(rng, params),
        )  # fmt: skip

    found = []
    if rng.random() < params.ppkbd:
        found.append(cadre(CadreKind.PPKBD))
    found.extend(cadre(CadreKind.SUB_PPKBD, area) for area in areas)
    found.extend(cadre(CadreKind.POKTAN) for _i in range(rng.randint(*params.poktan_cadres)))
    return found


def _write(
    counsellors: list[tuple[Counsellor, list[int]]], cadres: list[Cadre], counts: dict[str, int]
) -> None:
    if counsellors:
        created = Counsellor.objects.bulk_create([c for c, _v in counsellors])
        links = [
            Counsellor.villages.through(counsellor_id=c.pk, region_id=village)
            for c, (_c, group) in zip(created, counsellors, strict=True)
            for village in group
        ]
        Counsellor.villages.through.objects.bulk_create(links, batch_size=2000)
        counts["counsellors"] += len(created)
        counts["villages_looked_after"] += len(links)
    if cadres:
        Cadre.objects.bulk_create(cadres, batch_size=2000)
        for c in cadres:
            counts[c.kind] += 1


__all__ = ["Parameters", "workforce_generate"]
